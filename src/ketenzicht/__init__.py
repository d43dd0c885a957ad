"""Ketenzicht: signalen van mensenhandel, van signaal tot aanpak."""
