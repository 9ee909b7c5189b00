"""People: the profile format and its limits, and the edits a what-if makes to a profile."""
