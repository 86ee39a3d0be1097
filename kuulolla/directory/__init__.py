"""The service directory: organisations' services by region and topic, searchable in
the visitor's own words, referral cards in conversations, open data in and out.

``regions.py`` (municipalities and wellbeing services counties), ``hours.py`` (opening
hours on the shifts' recurrence rules; ``hours_parse.py`` and ``hours_words.py`` their
text in and out), ``vocabulary.py`` (kinds, topics, languages, licences), ``logic.py``
(a service's checks and staleness), ``finding.py`` (filters, referral cards),
``opendata.py`` (the CSV and JSON formats) and ``planning.py`` (what an import would
change) are pure. ``search.py`` indexes and queries; ``service.py`` reads and writes one
service, ``listing.py`` finds and lists them, ``curation.py`` keeps topics and
settings, ``importing.py`` applies an import and ``referrals.py`` sends a card into a
conversation. ``routes.py`` (visitors and open data), ``routes_manage.py`` and
``routes_import.py`` (coordinators) and ``routes_admin.py`` (admins) are the pages;
``demo.py`` and ``demo_local.py`` the demo's services. docs/architecture.md, "Service
directory", describes the whole.
"""
