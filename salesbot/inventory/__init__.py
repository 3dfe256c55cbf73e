"""Bookable inventory: availability per location, holds from proposals, bookings from
approved booking orders."""
