"""Every way to get an image, behind one interface, and a layer-aware filesystem view."""
