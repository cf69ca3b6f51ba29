"""The ``hotline`` command: serve the platform, run its worker, load and generate data.

Any other word is passed to Django's management commands (``hotline migrate``,
``hotline createsuperuser``, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    import django
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    django.setup()


def prepare_database(load_demo: bool, demo_orders: int = 0) -> None:
    """Bring the schema up to date and, on an empty database, load the demo city with
    ``demo_orders`` orders of history, and ask the worker to train the intake models."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if load_demo:
        from hotline.demo.city import is_loaded, load_city

        if not is_loaded():
            counts = load_city()
            print("已载入演示城市 濮阳市 (demo city loaded):", counts, flush=True)
            if demo_orders:
                from hotline.demo.generate import generate
                from hotline.intake.tasks import train_models

                generate(demo_orders, days=180, seed=12345)
                print(f"已生成 {demo_orders} 件历史工单 (history generated)", flush=True)
                train_models.enqueue(by="hotline serve")


def print_welcome(host: str, port: int, with_demo: bool) -> None:
    from hotline.demo.city import DEMO_PASSWORD, USERS, demo_handler_units

    print(f"\n12345 热线平台已启动 / hotline platform running: http://{host}:{port}/")
    print(f"  工作台 console:   http://{host}:{port}/console/")
    print(f"  管理后台 admin:   http://{host}:{port}/admin/")
    print(f"  接口文档 API docs: http://{host}:{port}/api/docs")
    print(f"  市民服务 citizens: http://{host}:{port}/citizen/")
    print(f"  Open311 GeoReport v2: http://{host}:{port}/open311/v2/")
    print("    (提交诉求的密钥 key to post: hotline apikey create NAME)")
    if not with_demo:
        print(flush=True)
        return
    print(f"演示账号 demo log-ins (密码 password: {DEMO_PASSWORD}):")
    for username, full_name, roles, _unit in USERS:
        print(f"  {username:<14} {full_name} ({', '.join(str(r.label) for r in roles)})")
    for unit in demo_handler_units():
        print(f"  handler_{unit.code:<6} {unit.name} 承办人")
    print(flush=True)


def die_with_parent() -> None:
    """In the worker child: receive SIGTERM if ``hotline serve`` dies (Linux only)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def allow_host(host: str) -> None:
    """Serving on another address than loopback: accept requests addressed to it."""
    if "ALLOWED_HOSTS" in os.environ or host in ("127.0.0.1", "localhost"):
        return
    everywhere = host in ("0.0.0.0", "::")
    os.environ["ALLOWED_HOSTS"] = "*" if everywhere else f"{host},127.0.0.1,localhost"


def warn_unknown_holidays() -> None:
    """Say so at start-up when this year's or next year's holidays are not known yet."""
    from django.utils import timezone

    from hotline.deadlines.calendar import is_year_known

    today = timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    for year in years:
        if not is_year_known(year):
            print(
                f"注意: {year} 年节假日安排尚未录入, 期限暂按周一至周五计算; "
                "请在管理后台“日历调整”中录入。\n"
                f"Note: no holiday schedule for {year} yet; deadlines count Monday to Friday "
                "until it is entered in the admin (calendar overrides).",
                flush=True,
            )


def cmd_serve(args) -> None:
    allow_host(args.host)
    setup_django()
    prepare_database(load_demo=not args.no_demo, demo_orders=args.demo_orders)
    print_welcome(args.host, args.port, with_demo=not args.no_demo)
    if not args.no_demo:
        from django.conf import settings

        settings.HOTLINE_DEMO_LOGINS = True  # the log-in page lists them for a newcomer
    warn_unknown_holidays()
    from hotline.intake.drafting import warm_up
    from hotline.knowledge.search import warm_up as warm_up_knowledge

    # The first draft of a process would load the gazetteer and the models, and the first
    # knowledge search would build the index: do both now.
    threading.Thread(target=warm_up, daemon=True, name="warm-up").start()
    threading.Thread(target=warm_up_knowledge, daemon=True, name="warm-up-knowledge").start()
    worker = None
    if not args.no_worker:
        worker = subprocess.Popen(
            [sys.executable, "-m", "hotline.cli", "worker"], preexec_fn=die_with_parent
        )
    import uvicorn

    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again: exit cleanly
    # then, so that the worker is stopped below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    try:
        uvicorn.run(
            "hotline.asgi:application",
            host=args.host,
            port=args.port,
            log_level="warning",
            lifespan="off",
            # Live-update streams stay open; they must not hold a restart for a minute.
            timeout_graceful_shutdown=5,
        )
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


def cmd_worker(args) -> None:
    """Run queued tasks, and enqueue the deadline sweep every few seconds."""
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from hotline.knowledge.tasks import expire_items
    from hotline.orders.tasks import sweep_deadlines

    def schedule() -> None:
        last_hourly = 0.0
        while True:
            sweep_deadlines.enqueue()
            if time.monotonic() - last_hourly >= 3600:  # knowledge expires by the day
                expire_items.enqueue()
                last_hourly = time.monotonic()
            time.sleep(settings.HOTLINE_SWEEP_INTERVAL)

    threading.Thread(target=schedule, daemon=True, name="sweep-scheduler").start()
    # The worker's own log line per task would repeat every few seconds; tasks log what
    # they did themselves, and failures stay in the task results.
    call_command("db_worker", interval=1.0, verbosity=0)


def cmd_sweep(args) -> None:
    """Run the deadline sweep in the foreground, once or in a loop."""
    setup_django()
    from django.conf import settings

    from hotline.orders.service import sweep

    while True:
        done = sweep()
        print(f"sweep: {done} actions", flush=True)
        if args.once:
            return
        time.sleep(settings.HOTLINE_SWEEP_INTERVAL)


def cmd_demo(args) -> None:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from hotline.demo.city import is_loaded, load_city

    if args.demo_command == "load":
        if is_loaded():
            print("演示城市已存在 (the demo city is already loaded)")
        else:
            print(load_city())
        return
    if not is_loaded():
        print(load_city())
    from tqdm import tqdm

    from hotline.demo.generate import generate

    with tqdm(total=args.orders, unit="order", desc="生成工单") as bar:
        generate(args.orders, days=args.days, seed=args.seed, progress=bar.update)


def cmd_token(args) -> None:
    setup_django()
    from hotline.orgs.models import ApiToken, User

    user = User.objects.filter(username=args.username).first()
    if user is None:
        sys.exit(f"no such user: {args.username}")
    _token, key = ApiToken.issue(user, args.name)
    print(key)


def cmd_apikey(args) -> None:
    """Keys of the systems that send requests in (Open311 clients, channel gateways)."""
    setup_django()
    from hotline.intake import clients
    from hotline.intake.models import ChannelClient

    if args.apikey_command == "create":
        if ChannelClient.objects.filter(name=args.name).exists():
            sys.exit(
                f"a client named {args.name!r} exists; renew its key with: "
                f"hotline apikey renew {args.name!r}"
            )
        _client, key = clients.issue(args.name, contact=args.contact, rate_per_minute=args.rate)
        print(key)
        return
    if args.apikey_command == "list":
        for client in ChannelClient.objects.all():
            state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
            print(f"{client.prefix}…  {client.rate_per_minute}/min  {state}  {client.name}")
        return
    client = ChannelClient.objects.filter(name=args.name).first()
    if client is None:
        sys.exit(f"no such client: {args.name}")
    if args.apikey_command == "revoke":
        clients.revoke(client)
        print(f"revoked: {client.name}")
    else:
        print(clients.renew(client))


def cmd_eval(args) -> None:
    """Score a model on a labelled file, trained or indexed exactly as the live system."""
    setup_django()
    try:
        if args.eval_command == "knowledge":
            from hotline.knowledge.evaluation import eval_knowledge

            report = eval_knowledge(args.kb, args.queries)
        else:
            from hotline.intake.training import eval_classify

            report = eval_classify(args.train, args.test, tree=args.tree, history=args.history)
    except (OSError, ValueError) as error:
        sys.exit(f"hotline eval: {error}")
    print(json.dumps(report, ensure_ascii=False))


def cmd_train(args) -> None:
    """Fit the intake classifiers on the city's closed orders and corrections."""
    setup_django()
    from hotline.intake.training import train_from_history

    try:
        version = train_from_history(
            limit=args.limit, by=args.by or "hotline train", activate=not args.no_activate
        )
    except ValueError as error:
        sys.exit(f"hotline train: {error}")
    print(json.dumps(version_summary(version), ensure_ascii=False, indent=1))


def cmd_knowledge(args) -> None:
    """Import knowledge from a file: a progress bar on stderr, the report as JSON on stdout."""
    setup_django()
    from django.utils.translation import gettext as _
    from tqdm import tqdm

    from hotline.errors import HotlineError
    from hotline.knowledge.importing import import_file
    from hotline.orgs.models import Unit, User

    unit = Unit.objects.filter(code=args.owner, is_active=True).first()
    if unit is None:
        sys.exit(
            _("hotline knowledge import: unknown or inactive unit “%(code)s”")
            % {"code": args.owner}
        )
    user = User.objects.filter(username=args.by, is_active=True).first()
    if user is None:
        sys.exit(_("hotline knowledge import: no such user “%(username)s”") % {"username": args.by})

    bars = []  # shown once the file is read and the items are counted

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit="item", desc=_("Importing"), leave=False))
        bars[0].update(done - bars[0].n)

    try:
        report = import_file(
            args.file,
            owner_unit=unit,
            by=user,
            kind=args.kind,
            publish=args.publish,
            progress=progress,
        )
    except HotlineError as error:
        sys.exit(f"hotline knowledge import: {error.render()}")
    finally:
        for bar in bars:
            bar.close()
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    if report.error:
        sys.exit(f"hotline knowledge import: {report.error}")


def version_summary(version, with_classes: bool = True) -> dict:
    report = {}
    for target, scores in version.report.items():
        report[target] = {k: v for k, v in scores.items() if with_classes or k != "per_class"}
    return {
        "version": version.number,
        "in_use": version.is_current,
        "trained_at": version.trained_at.isoformat(),
        "examples": version.examples,
        "held_back": version.held_back,
        "corrections": version.corrections,
        "size_bytes": version.size,
        "report": report,
    }


def cmd_model(args) -> None:
    """List the trained versions, put one in use, or go back to the previous one."""
    setup_django()
    from hotline.intake import versions
    from hotline.intake.models import ModelVersion

    try:
        if args.model_command == "use":
            versions.use(args.version)
        elif args.model_command == "rollback":
            versions.rollback()
    except LookupError as error:
        sys.exit(f"hotline model: {error}")
    rows = ModelVersion.objects.defer("data")
    if args.model_command != "list":
        rows = rows.filter(is_current=True)
    print(json.dumps([version_summary(v, False) for v in rows], ensure_ascii=False, indent=1))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hotline",
        description="12345 政务服务便民热线平台 (12345 government service hotline platform). "
        "Any other command is passed to Django's manage.py (e.g. hotline migrate).",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the platform (web, API, worker) on this machine")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-demo", action="store_true", help="do not load the demo city")
    serve.add_argument(
        "--demo-orders",
        type=int,
        default=2000,
        help="orders of history generated with a new demo city (default 2000)",
    )
    serve.add_argument("--no-worker", action="store_true", help="run the web server only")
    serve.set_defaults(run=cmd_serve)
    worker = sub.add_parser("worker", help="run background tasks and the deadline sweep")
    worker.set_defaults(run=cmd_worker)
    sweep = sub.add_parser("sweep", help="run the deadline sweeper without the task queue")
    sweep.add_argument("--once", action="store_true")
    sweep.set_defaults(run=cmd_sweep)
    demo = sub.add_parser("demo", help="load the demo city or generate orders")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    demo_sub.add_parser("load", help="load the demo city into an empty database")
    gen = demo_sub.add_parser("generate", help="write N realistic orders through the lifecycle")
    gen.add_argument("--orders", type=int, required=True)
    gen.add_argument("--days", type=int, default=365, help="spread over this many past days")
    gen.add_argument("--seed", type=int, default=12345)
    demo.set_defaults(run=cmd_demo)
    token = sub.add_parser("token", help="issue a personal API token for a user")
    token.add_argument("username")
    token.add_argument("--name", default="cli")
    token.set_defaults(run=cmd_token)
    apikey = sub.add_parser("apikey", help="API keys of Open311 clients and channel gateways")
    apikey_sub = apikey.add_subparsers(dest="apikey_command", required=True)
    create = apikey_sub.add_parser("create", help="make a client and print its new key (once)")
    create.add_argument("name")
    create.add_argument("--contact", default="", help="who runs the client")
    create.add_argument("--rate", type=int, default=60, help="calls per minute (default 60)")
    apikey_sub.add_parser("list", help="every client with its key's prefix and state")
    for verb, text in (("revoke", "stop a client's key"), ("renew", "print a new key")):
        command = apikey_sub.add_parser(verb, help=text)
        command.add_argument("name")
    apikey.set_defaults(run=cmd_apikey)
    evaluate = sub.add_parser("eval", help="evaluate a model on labelled data, print JSON")
    eval_sub = evaluate.add_subparsers(dest="eval_command", required=True)
    classify = eval_sub.add_parser("classify", help="category classifier: --train F --test F")
    classify.add_argument("--train", required=True, help='JSON lines {"id","title","text","label"}')
    classify.add_argument("--test", required=True, help="JSON lines of the same form")
    classify.add_argument(
        "--tree",
        help="the labels' category tree (CSV level1,level2,... or JSON); default: "
        "taxonomy.csv beside the training file, else the city's tree",
    )
    classify.add_argument(
        "--history", help='unlabelled messages of the same source, {"title","text"} per line'
    )
    knowledge = eval_sub.add_parser("knowledge", help="knowledge search: --kb F --queries F")
    knowledge.add_argument("--kb", required=True, help='JSON lines {"id","title","text","group"?}')
    knowledge.add_argument("--queries", required=True, help='JSON lines {"id","question","gold"}')
    evaluate.set_defaults(run=cmd_eval)
    train = sub.add_parser(
        "train", help="fit the intake classifiers on closed orders and corrections"
    )
    train.add_argument("--limit", type=int, help="learn from the newest N orders only")
    train.add_argument("--no-activate", action="store_true", help="store, do not use yet")
    train.add_argument("--by", help="who trains (recorded with the version)")
    train.set_defaults(run=cmd_train)
    model = sub.add_parser("model", help="list, use or roll back trained intake models")
    model_sub = model.add_subparsers(dest="model_command", required=True)
    model_sub.add_parser("list", help="every stored version with its scores")
    use = model_sub.add_parser("use", help="put a version in use")
    use.add_argument("version", type=int)
    model_sub.add_parser("rollback", help="go back to the version before the one in use")
    model.set_defaults(run=cmd_model)
    knowledge = sub.add_parser("knowledge", help="import knowledge items from a file")
    knowledge_sub = knowledge.add_subparsers(dest="knowledge_command", required=True)
    importing = knowledge_sub.add_parser(
        "import",
        help="items from .xlsx, .csv (one per row), .docx or .pdf (questions and answers); "
        "prints the report as JSON",
    )
    importing.add_argument("file")
    importing.add_argument("--owner", required=True, help="code of the unit that keeps them")
    importing.add_argument("--by", required=True, help="username of the knowledge editor")
    importing.add_argument(
        "--kind", help="kind of the rows that name none (code or name, default 常见问题 faq)"
    )
    importing.add_argument(
        "--publish",
        action="store_true",
        help="publish at once (reviewed before the import); default: send for review",
    )
    knowledge.set_defaults(run=cmd_knowledge)
    sub.add_parser("manage", help="run a Django management command (hotline manage --help)")
    return p


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    commands = (
        "serve",
        "worker",
        "sweep",
        "demo",
        "token",
        "apikey",
        "eval",
        "train",
        "model",
        "knowledge",
    )
    known = {*commands, "-h", "--help"}
    if argv and argv[0] not in known:
        setup_django()
        from django.core.management import execute_from_command_line

        rest = argv[1:] if argv[0] == "manage" else argv
        execute_from_command_line(["hotline", *rest])
        return
    args = parser().parse_args(argv)
    if not getattr(args, "run", None):
        parser().print_help()
        return
    args.run(args)


if __name__ == "__main__":
    main()
