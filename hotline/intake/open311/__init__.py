"""The Open311 GeoReport v2 server (``/open311/v2/``): services from the category tree,
requests that become work orders through the intake's channel path, their public status,
and the extensions cities use (paging, photos, notes, FixMyStreet's request updates)."""
