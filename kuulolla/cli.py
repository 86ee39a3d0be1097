"""The ``kuulolla`` command line. Every command has ``--help``."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from kuulolla.core.clock import utcnow
from kuulolla.core.db import Database
from kuulolla.core.errors import AppError
from kuulolla.core.settings import Settings, SettingsError


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    for name in ("host", "port", "workers"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return Settings.from_env(**overrides)


def _run_db(settings: Settings, work: Callable[[Database], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        db = Database.from_url(settings.effective_database_url, pool_size=2)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


def cmd_migrate(args: argparse.Namespace) -> int:
    from kuulolla.migrations import upgrade

    settings = _settings(args)
    upgrade(settings.effective_database_url)
    print("Database is up to date.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from kuulolla.serve import serve

    settings = _settings(args)
    serve(settings)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from kuulolla import demo
    from kuulolla.migrations import upgrade
    from kuulolla.serve import serve

    # The demo is for trying the service on one's own machine.
    os.environ.setdefault("KUULOLLA_ENV", "development")
    # The demo's admin need not set up a second factor to look around.
    os.environ.setdefault("KUULOLLA_ADMIN_REQUIRE_TOTP", "false")
    settings = _settings(args)
    upgrade(settings.effective_database_url)
    sign_ins = _run_db(settings, lambda db: demo.seed(db, now=utcnow(), settings=settings))
    url = settings.public_url or f"http://{settings.host}:{settings.port}/"
    print(
        f"\nKuulolla demo is running at {url}\nOpen it in two browser windows, join a room and chat;"
        f" the question archive is at {url.rstrip('/')}/questions\n"
        f"\nStaff sign in at {url.rstrip('/')}/sign-in (new passwords on every start):\n"
        + demo.format_sign_ins(sign_ins)
        + "\n",
        flush=True,
    )
    serve(settings)
    return 0


def cmd_create_org(args: argparse.Namespace) -> int:
    from kuulolla.accounts import organisations

    settings = _settings(args)
    _run_db(
        settings,
        lambda db: organisations.do_create_organisation(
            db, slug=args.slug, name=args.name, now=utcnow()
        ),
    )
    print(f"Created organisation {args.slug}.")
    return 0


def cmd_create_room(args: argparse.Namespace) -> int:
    from kuulolla.rooms import service

    settings = _settings(args)
    names = {
        k: v for k, v in {"fi": args.name_fi, "sv": args.name_sv, "en": args.name_en}.items() if v
    }
    descriptions = {
        k: v
        for k, v in {
            "fi": args.description_fi,
            "sv": args.description_sv,
            "en": args.description_en,
        }.items()
        if v
    }
    _run_db(
        settings,
        lambda db: service.do_create_room(
            db,
            organisation=args.org,
            slug=args.slug,
            names=names,
            descriptions=descriptions,
            history_limit=args.history,
            now=utcnow(),
        ),
    )
    print(f"Created room {args.slug}: /rooms/{args.slug}")
    return 0


def cmd_archive_room(args: argparse.Namespace) -> int:
    from kuulolla.rooms import manage, service

    settings = _settings(args)

    async def archive(db: Database) -> int:
        room = await service.get_room_or_raise(db, slug=args.slug)
        return await manage.do_archive_room(
            db, organisation_id=room.organisation_id, slug=args.slug, actor_id=None, now=utcnow()
        )

    places = _run_db(settings, archive)
    print(f"Archived room {args.slug}; {places} places on its coming shifts were cancelled.")
    return 0


def cmd_reindex_questions(args: argparse.Namespace) -> int:
    from kuulolla.questions import importing

    settings = _settings(args)
    count = _run_db(settings, lambda db: importing.do_reindex(db))
    print(f"Search index rebuilt: {count} published questions.")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from kuulolla.privacy.service import do_purge

    settings = _settings(args)

    async def work(db: Database) -> Any:
        redis: Any = None
        if settings.redis_url:
            from kuulolla.core.redis_pool import redis_client

            redis = redis_client(settings.redis_url)
        try:
            return await do_purge(
                db, settings=settings, now=utcnow(), dry_run=args.dry_run, redis=redis
            )
        finally:
            if redis is not None:
                await redis.aclose()

    results = _run_db(settings, work)
    verb = "would delete" if args.dry_run else "deleted"
    for r in results:
        if r.count:
            where = f"organisation {r.organisation_id}" if r.organisation_id else "platform"
            print(f"{r.kind} ({where}, before {r.before:%Y-%m-%d %H:%M}Z): {verb} {r.count}")
    print(f"Purge: {verb} {sum(r.count for r in results)} items in all.")
    return 0


def cmd_shifts_generate(args: argparse.Namespace) -> int:
    from kuulolla.accounts.organisations import get_organisation_or_raise
    from kuulolla.shifts import horizon_runs

    settings = _settings(args)

    async def work(db: Database) -> horizon_runs.HorizonResult:
        org_id = None
        if args.org:
            org_id = (await get_organisation_or_raise(db, slug=args.org)).id
        return await horizon_runs.do_plan_horizon(db, now=utcnow(), organisation_id=org_id)

    result = _run_db(settings, work)
    print(
        f"Shifts: {result.created} created, {result.updated} updated, {result.reopened} reopened, "
        f"{result.cancelled} cancelled; {len(result.conflicts)} signed-up shifts left for a "
        "coordinator."
    )
    return 0


def cmd_directory_import(args: argparse.Namespace) -> int:
    from kuulolla.directory import importing

    settings = _settings(args)
    try:
        with open(args.file, "rb") as f:
            data = f.read()
    except OSError as exc:
        print(f"kuulolla: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    result = _run_db(
        settings,
        lambda db: importing.do_import(
            db,
            data=data,
            now=utcnow(),
            organisation=args.org,
            dry_run=args.dry_run,
            remove_missing=args.remove_missing,
        ),
    )
    print(importing.report(result, dry_run=args.dry_run, remove_missing=args.remove_missing))
    return 1 if result.problems else 0


def cmd_directory_export(args: argparse.Namespace) -> int:
    from kuulolla.directory import importing

    settings = _settings(args)
    body = _run_db(settings, lambda db: importing.export(db, now=utcnow(), file_format=args.format))
    if args.output == "-":
        sys.stdout.buffer.write(body)
    else:
        with open(args.output, "wb") as f:
            f.write(body)
    return 0


def read_password(prompt: str = "Password: ") -> str:
    """The password from standard input when it is not a terminal (scripts, pipes:
    the first line), otherwise asked twice without echo."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise SystemExit("kuulolla: the passwords do not match")
    return first


def cmd_create_staff(args: argparse.Namespace) -> int:
    from kuulolla.accounts.links import do_create_staff
    from kuulolla.accounts.passwords import Passwords

    settings = _settings(args)
    if bool(args.org) != bool(args.role):
        print("kuulolla: give --org and --role together", file=sys.stderr)
        return 2
    if not args.admin and not args.org:
        print("kuulolla: give --admin, or --org and --role", file=sys.stderr)
        return 2
    password = read_password()
    passwords = Passwords.from_settings(settings)
    _run_db(
        settings,
        lambda db: do_create_staff(
            db,
            passwords=passwords,
            username=args.username,
            display_name=args.display_name,
            password=password,
            is_admin=args.admin,
            organisation=args.org,
            role=args.role,
            now=utcnow(),
        ),
    )
    what = "admin" if args.admin else args.role
    print(f"Created {what} {args.username.strip().lower()}. Sign in at /sign-in.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kuulolla",
        description="Kuulolla peer-support service. Settings come from KUULOLLA_* environment variables "
        "(see docs/operations.md).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def server_options(p: argparse.ArgumentParser, workers: bool = True) -> None:
        p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
        p.add_argument("--port", type=int, help="port to listen on (default 8000)")
        if workers:
            p.add_argument(
                "--workers",
                type=int,
                help="worker processes; more than one needs KUULOLLA_REDIS_URL",
            )

    p = sub.add_parser(
        "serve",
        help="run the server",
        description="Run the server with the configured database and broker.",
    )
    server_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "demo",
        help="migrate, seed demo data and serve",
        description="Migrate the database, add demo organisations and rooms, print the address and serve. "
        "Runs in development mode unless KUULOLLA_ENV says otherwise.",
    )
    server_options(p, workers=False)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "migrate",
        help="upgrade the database schema",
        description="Upgrade the database to the newest schema.",
    )
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "create-org", help="create an organisation", description="Create an organisation."
    )
    p.add_argument("--slug", required=True, help="short name used in addresses, e.g. arjen-tuki")
    p.add_argument("--name", required=True, help="display name")
    p.set_defaults(func=cmd_create_org)

    p = sub.add_parser(
        "create-room",
        help="create a group room",
        description="Create a group room of an organisation.",
    )
    p.add_argument("--org", required=True, help="organisation slug")
    p.add_argument("--slug", required=True, help="room slug; the room is at /rooms/SLUG")
    p.add_argument("--name-fi", required=True, help="name in Finnish")
    p.add_argument("--name-sv", help="name in Swedish")
    p.add_argument("--name-en", help="name in English")
    p.add_argument("--description-fi", help="description in Finnish")
    p.add_argument("--description-sv", help="description in Swedish")
    p.add_argument("--description-en", help="description in English")
    p.add_argument(
        "--history",
        type=int,
        default=30,
        help="recent messages a newcomer sees (0 for none; default 30)",
    )
    p.set_defaults(func=cmd_create_room)

    p = sub.add_parser(
        "archive-room",
        help="close a room for good",
        description="Close a room for good: nobody can join it any more; its history stays until retention removes it; its schedule ends and its coming shifts are cancelled.",
    )
    p.add_argument("--slug", required=True, help="room slug")
    p.set_defaults(func=cmd_archive_room)

    p = sub.add_parser(
        "reindex-questions",
        help="rebuild the question archive's search index",
        description="Analyse every published question again and rebuild the search index, "
        "for example after installing or upgrading Voikko (libvoikko1, voikko-fi).",
    )
    p.set_defaults(func=cmd_reindex_questions)

    p = sub.add_parser(
        "purge",
        help="delete data past its retention period",
        description="Delete, for real, every kind of data older than its retention period "
        "(each organisation's periods, else the platform defaults), including copies in Redis; "
        "on SQLite the file is then compacted. The server also does this once an hour.",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="only count what would be deleted; change nothing"
    )
    p.set_defaults(func=cmd_purge)

    p = sub.add_parser(
        "create-staff",
        help="create a staff account (the first admin)",
        description="Create a staff account with a password. The password is read from standard "
        "input when it is not a terminal (the first line), otherwise asked twice. At least 12 "
        "characters; common passwords are refused.",
    )
    p.add_argument("--username", required=True, help="for signing in: 3–64 of a–z 0–9 . - _")
    p.add_argument("--display-name", required=True, help="the name visitors see in rooms")
    p.add_argument("--admin", action="store_true", help="a platform admin")
    p.add_argument("--org", help="organisation slug to make the person a member of")
    p.add_argument(
        "--role", choices=["volunteer", "professional", "coordinator"], help="role in --org"
    )
    p.set_defaults(func=cmd_create_staff)

    p = sub.add_parser(
        "shifts",
        help="volunteer shifts",
        description="Work on volunteer shifts.",
    )
    shifts = p.add_subparsers(dest="shifts_command", required=True, metavar="ACTION")
    g = shifts.add_parser(
        "generate",
        help="generate the concrete shifts of every template for the rolling horizon",
        description="Generate and correct the concrete shifts of the shift templates for each "
        "organisation's horizon (the server also does this every hour). Running it again "
        "changes nothing.",
    )
    g.add_argument("--org", help="only this organisation (slug)")
    g.set_defaults(func=cmd_shifts_generate)

    p = sub.add_parser(
        "directory",
        help="the service directory's open data",
        description="Import and export the service directory's open data (JSON or CSV; "
        'the format is in docs/operations.md, "Service directory open data").',
    )
    directory = p.add_subparsers(dest="directory_command", required=True, metavar="ACTION")
    g = directory.add_parser(
        "import",
        help="import services from a JSON or CSV file",
        description="Import services from a JSON or CSV file. Each record names its "
        "organisation (or give --org); a service is matched by organisation and id. Prints "
        "what changed (with --dry-run: what would change, changing nothing). Records with "
        "problems are listed and left out; the exit status is then 1.",
    )
    g.add_argument("file", help="a JSON or CSV file")
    g.add_argument("--dry-run", action="store_true", help="only say what would change")
    g.add_argument("--org", help="import into this organisation only (slug)")
    g.add_argument(
        "--remove-missing",
        action="store_true",
        help="remove the organisations' services that the file does not have",
    )
    g.set_defaults(func=cmd_directory_import)
    g = directory.add_parser(
        "export",
        help="export the published directory",
        description="Write every published service as open data, under the licence the "
        "admins chose.",
    )
    g.add_argument("--format", choices=["json", "csv"], default="json", help="default json")
    g.add_argument("-o", "--output", default="-", help="a file (default: standard output)")
    g.set_defaults(func=cmd_directory_export)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
    except SettingsError as exc:
        print(f"kuulolla: {exc}", file=sys.stderr)
        code = 2
    except AppError as exc:
        print(f"kuulolla: {exc.translated('en')}", file=sys.stderr)
        code = 1
    sys.exit(code)
