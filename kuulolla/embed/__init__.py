"""Embedding: the sites allowed to show an organisation's chat in a frame, the embedded
pages and the snippet that puts them on a site."""
