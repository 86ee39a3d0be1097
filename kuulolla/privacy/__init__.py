"""Privacy and the data lifecycle: the retention registry, ``kuulolla purge``, staff
data rights and the privacy notice.

Each domain declares the personal data it keeps in its own ``retention.py`` module
(``kuulolla/<domain>/retention.py``) by calling :func:`kuulolla.privacy.registry.register`
(a data kind with its purge function) and, when it stores anything about staff,
:func:`kuulolla.privacy.registry.register_staff_data`. :func:`registry.load` imports
every such module, so a new domain needs no edit here.
"""
