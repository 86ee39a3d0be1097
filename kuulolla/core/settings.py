"""Settings: one immutable object built from ``KUULOLLA_*`` environment variables.

Every tunable of the service lives here, is documented in docs/operations.md and is
passed explicitly (``create_app(settings)``); nothing reads the environment at import
time. ``Settings.from_env`` raises :class:`SettingsError` with a message naming the
variable when a value cannot be parsed or is unsafe for production.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_type_hints

PREFIX = "KUULOLLA_"
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"


class SettingsError(ValueError):
    """A setting is missing, malformed or unsafe."""


@dataclass(frozen=True, slots=True)
class Settings:
    # Mode. "development" allows the built-in secret and plain-http cookies on
    # localhost; anything else is production.
    env: str = "production"
    secret_key: str = DEVELOPMENT_SECRET
    data_dir: Path = Path("var")

    # Storage and fan-out.
    database_url: str = ""  # empty: SQLite file in data_dir
    redis_url: str = ""  # empty: in-process broker (one process only)
    broker_prefix: str = "kuulolla"  # channel prefix, so deployments can share a Redis
    db_pool_size: int = 0  # 0: 2 on SQLite, 10 on PostgreSQL (see effective_db_pool_size)

    # Serving.
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    allowed_origins: tuple[str, ...] = ()  # empty: same origin as the Host header
    forwarded_allow_ips: tuple[str, ...] = ()  # balancers whose X-Forwarded-* we trust
    # "*" above trusts anyone who can reach the port; allowed outside development only
    # when this says the port is reachable from the balancer's private network alone.
    proxy_network_private: bool = False
    shutdown_grace: float = 10.0  # seconds for open sockets to close on SIGTERM
    public_url: str = ""  # shown by `kuulolla demo`; defaults to http://host:port

    # Request limits (web/bodies.py, web/uvicorn_http.py; docs/operations.md, "Limits and abuse").
    max_form_bytes: int = 64 * 1024  # largest form body
    max_json_bytes: int = 16 * 1024  # largest JSON body
    body_timeout: float = 30.0  # seconds a request body may take to arrive
    header_timeout: float = 10.0  # seconds a request line and headers may take to arrive
    keepalive_timeout: float = 5.0  # seconds an idle connection is kept between requests
    max_connections: int = 10_000  # open connections per process, WebSockets included

    # Chat limits.
    max_frame_bytes: int = 64 * 1024
    max_message_chars: int = 2000
    max_nick_chars: int = 24
    send_rate: float = 3.0  # messages per second per connection, sustained
    send_burst: int = 10  # messages per connection at once
    hello_timeout: float = 10.0
    outbox_limit_bytes: int = 1024 * 1024  # pending bytes per socket before it is closed
    socket_send_buffer_bytes: int = 256 * 1024  # kernel send buffer of a WebSocket (0: OS default)
    resume_limit: int = 1000  # most messages replayed to a resuming client
    resume_limit_bytes: int = 1_000_000  # largest joined frame (history included)
    gap_wait: float = 0.05  # seconds a message that arrived early waits before a DB fill
    poll_interval: float = 5.0  # seconds between the safety check of room sequences
    commit_max_batch: int = 512
    max_rooms_per_connection: int = 8
    # Limits on anonymous actions (docs/operations.md, "Limits and abuse"). A network is
    # counted by its network-day key (core/bankey.py), never by its address.
    sockets_per_network: int = 50  # open sockets of one network, per process
    hellos_per_network: int = 60  # new sockets (hello frames) of one network per minute
    joins_per_socket: int = 20  # room joins of one socket per minute
    joins_per_network: int = 120  # room joins of one network per minute
    moderator_messages_per_socket: int = 5  # private messages and reports, at once; then 1 a minute
    moderator_messages_per_network: int = 30  # the same for one network per 10 minutes
    queue_entries_per_token: int = 6  # queue entries one visitor's token makes per hour
    queue_entries_per_network: int = 5  # queue entries one network makes per hour
    questions_per_network: int = 5  # questions one network sends per hour
    flood_rules: bool = True  # refuse floods: bursts, repeats, writing right after joining
    join_cooldown: float = 10.0  # seconds a newcomer waits before writing (flood rules on)
    room_cache_seconds: float = 10.0  # how long a process trusts its copy of a room's settings
    # How long a process keeps a room's screening settings and its organisation's word
    # list and crisis numbers (changes are announced at once; this is a backstop).
    moderation_cache_seconds: float = 60.0
    # Seconds between re-reads of on-duty staff's moderator status on open sockets (a
    # backstop: check-ins and -outs are announced at once; shifts end on their own).
    duty_check_interval: float = 30.0
    # Seconds a crisis alert may wait for an acknowledgement on the duty desk before it
    # is escalated to the organisation's professionals and coordinators on duty.
    alert_escalation_seconds: float = 120.0

    # Staff e-mail notifications (kuulolla/notify): empty SMTP address, none are sent.
    smtp_url: str = ""  # smtp://[user:password@]host[:port] or smtps://…
    smtp_from: str = "Kuulolla <noreply@localhost>"
    notify_interval: float = 15.0  # seconds between rounds of escalations and sending
    notify_digest_minutes: float = 60.0  # a digest waits this long after its first item

    # Operations.
    gc_thresholds: tuple[int, ...] = (
        20_000,
        20,
        20,
    )  # Python's gc.set_threshold; default (700, 10, 10)
    # Seconds a busy event loop may keep the GIL while a database thread waits for it
    # (Python's sys.setswitchinterval; default 0.005). The SQLite message writer takes
    # the GIL back after every statement while it holds the database's write lock.
    switch_interval: float = 0.0005
    metrics: bool = True  # serve Prometheus metrics at /metrics (restrict it at the balancer)
    metrics_allow: tuple[str, ...] = (
        "127.0.0.1",
        "::1",
    )  # addresses or networks that may read them
    metrics_token: str = ""  # or anyone with "Authorization: Bearer <token>"

    # Question-and-answer archive.
    question_deadline_days: int = 10  # working days to answer, unless an organisation sets its own

    # One-to-one queue.
    queue_grace_seconds: float = (
        60.0  # a silent visitor keeps their place (a silent helper their chats) this long
    )

    # Reports: counts below this are shown as "< N" everywhere (reports/logic.py).
    report_min_count: int = 5

    # Staff accounts (docs/operations.md, "Staff accounts").
    session_idle_minutes: int = 30  # a staff session ends after this long without use
    session_absolute_hours: int = 12  # and this long after sign-in, however it is used
    session_check_interval: float = 60.0  # seconds between checks of staff sockets' sessions
    argon2_time_cost: int = 3  # argon2id passes; never below argon2-cffi's default profile
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    password_hash_concurrency: int = 2  # password hashes computed at once per process
    password_hash_queue: int = 64  # sign-ins waiting for a hash before "busy" is answered
    link_expiry_hours: int = 72  # invitation and password-reset links
    # Sign-in limits (accounts/throttle.py): attempts per window, reserved before the hash.
    signin_free_failures: int = 5  # failed sign-ins per account (or known device)
    signin_client_free_failures: int = 20  # the same per client network (shared networks)
    signin_window: int = 900  # seconds; the window those counts are kept for
    link_attempts: int = 5  # uses of one invitation or reset link per window
    admin_require_totp: bool = True  # platform admins must use a second factor
    audit_retention_days: int = 400
    purge_interval: float = 3600.0  # seconds between scheduled purges (0: only `kuulolla purge`)

    # Interface.
    default_locale: str = "fi"
    quick_exit_url: str = "https://www.google.fi/"
    accessibility_contact: str = ""  # e-mail address for accessibility feedback (the statement)

    # Logging.
    log_level: str = "INFO"
    log_format: str = "json"  # json | text

    # ------------------------------------------------------------------ derived

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'kuulolla.sqlite3').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def effective_db_pool_size(self) -> int:
        """Database connections per process (as many again may overflow). SQLite takes
        one writer at a time and each of its connections is a thread of its own, so a
        few serve best: a join storm of 1,000 clients connects in half the time with 2
        as with 10, and each idle connection costs less memory (docs/performance.md)."""
        if self.db_pool_size:
            return self.db_pool_size
        return 2 if self.is_sqlite else 10

    # ------------------------------------------------------------------ loading

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``KUULOLLA_*`` variables, then apply ``overrides``."""
        environ = os.environ if environ is None else environ
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            key = PREFIX + f.name.upper()
            if key in environ:
                values[f.name] = _parse(key, environ[key], hints[f.name])
        values.update(overrides)
        settings = cls(**values)
        settings.check()
        return settings

    def replace(self, **changes: Any) -> Settings:
        new = dataclasses.replace(self, **changes)
        new.check()
        return new

    def check(self) -> None:
        """Refuse settings that are unsafe or contradictory."""
        if self.env not in ("development", "production", "test"):
            raise SettingsError(
                f"{PREFIX}ENV must be development, production or test, not {self.env!r}"
            )
        if not self.development and self.secret_key == DEVELOPMENT_SECRET:
            raise SettingsError(
                f"{PREFIX}SECRET_KEY is the built-in development secret; set a long random "
                f"value (for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) "
                f"or set {PREFIX}ENV=development for local use"
            )
        if len(self.secret_key) < 32:
            raise SettingsError(f"{PREFIX}SECRET_KEY must be at least 32 characters")
        if self.workers < 1:
            raise SettingsError(f"{PREFIX}WORKERS must be at least 1")
        if self.workers > 1 and not self.redis_url:
            raise SettingsError(
                "several worker processes need Redis for fan-out between them: "
                f"set {PREFIX}REDIS_URL (for example redis://127.0.0.1:6379/0) or use one worker"
            )
        if len(self.gc_thresholds) != 3 or min(self.gc_thresholds) < 1:
            raise SettingsError(
                f"{PREFIX}GC_THRESHOLDS must be three positive integers, e.g. 20000,20,20"
            )
        if not 0.0001 <= self.switch_interval <= 0.1:
            raise SettingsError(f"{PREFIX}SWITCH_INTERVAL must be 0.0001–0.1 seconds")
        if self.log_format not in ("json", "text"):
            raise SettingsError(f"{PREFIX}LOG_FORMAT must be json or text")
        if self.default_locale not in ("fi", "sv", "en"):
            raise SettingsError(f"{PREFIX}DEFAULT_LOCALE must be fi, sv or en")
        if not 1 <= self.question_deadline_days <= 60:
            raise SettingsError(f"{PREFIX}QUESTION_DEADLINE_DAYS must be 1–60 working days")
        if not 2 <= self.report_min_count <= 100:
            raise SettingsError(f"{PREFIX}REPORT_MIN_COUNT must be 2–100")
        # argon2-cffi's default profile (RFC 9106's second recommendation) is the floor.
        if (
            self.argon2_time_cost < 3
            or self.argon2_memory_kib < 65536
            or self.argon2_parallelism < 4
        ):
            raise SettingsError(
                f"{PREFIX}ARGON2_TIME_COST, _MEMORY_KIB and _PARALLELISM may not be below "
                "3, 65536 and 4 (argon2-cffi's default profile)"
            )
        if self.password_hash_concurrency < 1 or self.password_hash_queue < 1:
            raise SettingsError(
                f"{PREFIX}PASSWORD_HASH_CONCURRENCY and {PREFIX}PASSWORD_HASH_QUEUE must be at least 1"
            )
        if self.session_idle_minutes < 1 or self.session_absolute_hours < 1:
            raise SettingsError(
                f"{PREFIX}SESSION_IDLE_MINUTES and {PREFIX}SESSION_ABSOLUTE_HOURS must be at least 1"
            )
        if self.session_idle_minutes > self.session_absolute_hours * 60:
            raise SettingsError(
                f"{PREFIX}SESSION_IDLE_MINUTES may not exceed {PREFIX}SESSION_ABSOLUTE_HOURS"
            )
        if not 1 <= self.link_expiry_hours <= 24 * 14:
            raise SettingsError(f"{PREFIX}LINK_EXPIRY_HOURS must be between 1 and 336")
        if (
            self.signin_free_failures < 1
            or self.signin_client_free_failures < 1
            or self.link_attempts < 1
        ):
            raise SettingsError(
                f"{PREFIX}SIGNIN_FREE_FAILURES, _CLIENT_FREE_FAILURES and {PREFIX}LINK_ATTEMPTS "
                "must be at least 1"
            )
        if not 60 <= self.signin_window <= 86400:
            raise SettingsError(f"{PREFIX}SIGNIN_WINDOW must be between 60 and 86400 seconds")
        if self.db_pool_size < 0:
            raise SettingsError(f"{PREFIX}DB_POOL_SIZE must be 0 (the default) or more")
        if self.max_frame_bytes < 1024:
            raise SettingsError(f"{PREFIX}MAX_FRAME_BYTES must be at least 1024")
        if min(self.max_form_bytes, self.max_json_bytes) < 1024:
            raise SettingsError(
                f"{PREFIX}MAX_FORM_BYTES and {PREFIX}MAX_JSON_BYTES must be at least 1024"
            )
        if min(self.body_timeout, self.header_timeout, self.keepalive_timeout) <= 0:
            raise SettingsError(
                f"{PREFIX}BODY_TIMEOUT, {PREFIX}HEADER_TIMEOUT and {PREFIX}KEEPALIVE_TIMEOUT "
                "must be more than 0 seconds"
            )
        if self.max_connections < 10:
            raise SettingsError(f"{PREFIX}MAX_CONNECTIONS must be at least 10")
        anonymous = (
            "sockets_per_network",
            "hellos_per_network",
            "joins_per_socket",
            "joins_per_network",
            "moderator_messages_per_socket",
            "moderator_messages_per_network",
            "queue_entries_per_token",
            "queue_entries_per_network",
            "questions_per_network",
        )
        for name in anonymous:
            if getattr(self, name) < 1:
                raise SettingsError(f"{PREFIX}{name.upper()} must be at least 1")
        self._check_networks()

    def _check_networks(self) -> None:
        for name, values in (
            ("FORWARDED_ALLOW_IPS", self.forwarded_allow_ips),
            ("METRICS_ALLOW", self.metrics_allow),
        ):
            for value in values:
                if value == "*" and name == "FORWARDED_ALLOW_IPS":
                    continue
                try:
                    ipaddress.ip_network(value, strict=False)
                except ValueError:
                    raise SettingsError(
                        f"{PREFIX}{name}: {value!r} is not an IP address or network"
                    ) from None
        if "*" in self.forwarded_allow_ips and not (self.development or self.proxy_network_private):
            raise SettingsError(
                f"{PREFIX}FORWARDED_ALLOW_IPS=* trusts X-Forwarded-For from anyone who can reach "
                "this port, so any client could choose its own address (and walk around bans "
                "and limits). Name the balancers' addresses or network (for example "
                f"172.30.0.0/24), or set {PREFIX}PROXY_NETWORK_PRIVATE=true if only the "
                "balancer can reach this port"
            )
        if self.metrics_token and len(self.metrics_token) < 24:
            raise SettingsError(f"{PREFIX}METRICS_TOKEN must be at least 24 characters")

    def to_env(self) -> dict[str, str]:
        """The environment that reproduces these settings in a child process."""
        out: dict[str, str] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = ",".join(str(v) for v in value)
            out[PREFIX + f.name.upper()] = str(value)
        return out


def _parse(key: str, raw: str, kind: Any) -> Any:
    raw = raw.strip()
    try:
        if kind is bool:
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        if kind is Path:
            return Path(raw)
        if kind == tuple[int, ...]:
            return tuple(int(part) for part in raw.split(",") if part.strip())
        if kind == tuple[str, ...]:
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        return raw
    except ValueError:
        raise SettingsError(
            f"{key}={raw!r} is not a valid {getattr(kind, '__name__', kind)}"
        ) from None
