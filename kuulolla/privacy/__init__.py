"""Privacy and the data lifecycle: retention periods, ``kuulolla purge``, staff
data rights and the privacy notice.

Each domain declares the personal data it keeps in its own ``retention.py`` module
(``kuulolla/<domain>/retention.py``) by calling :func:`kuulolla.core.retention.register`
(a data kind with its purge function) and, when it stores anything about staff,
:func:`kuulolla.core.retention.register_staff_data`. The registry lives in core
(every domain registers with it); :func:`kuulolla.core.retention.load` imports every
such module, so a new domain needs no edit here.
"""
