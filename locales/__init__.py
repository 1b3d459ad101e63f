"""Gettext catalogs: one ``<language>/LC_MESSAGES/parkshare.po`` per supported language."""
