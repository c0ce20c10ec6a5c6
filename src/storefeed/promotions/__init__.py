"""Promoted posts (粉丝头条): a seller pays from the wallet to put a post on top of homes."""
