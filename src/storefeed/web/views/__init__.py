"""Web page views, one module per area; each view parses input, calls one service or
selector, and renders."""
