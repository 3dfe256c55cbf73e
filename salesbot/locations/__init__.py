"""Locations: the inventory catalogue, matching users' words to locations, template decks."""
