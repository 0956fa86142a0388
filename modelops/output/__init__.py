"""What the commands print besides their findings: the JSON documents of `--format json` with
their schemas, and the terminal's extras (colour on stdout, progress on stderr)."""
