"""What a pull request changes and how it reads: diff, promote, git revisions, plan formats
and the escaping of untrusted text for pull-request comments."""
