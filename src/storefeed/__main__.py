"""`python -m storefeed` is the same as the `storefeed` command."""

from storefeed.cli import main

main()
