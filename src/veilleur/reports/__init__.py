"""Reports people keep: made from rows already read, as HTML, and as PDF from it."""
