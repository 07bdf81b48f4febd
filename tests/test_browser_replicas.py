"""Two app processes on one PostgreSQL database, in Chromium: a visit recorded through
one shows in the other's overview, its figures and its map, on that process's next run;
a login made through one is accepted by the other (the sessions live in the database and
both share the cookie key), as behind a proxy that moves a user to another replica. And
the README's nginx proxy in front of the two (where an nginx binary is found): the map's
WebSocket, an upload and a download pass through it to one replica, and when that
replica stops, the reload lands on the other, still logged in, with the new figures.

The other process has drawn the overview before the visit is recorded, so its cached
figures (``ui.loaders``, per data version) are those of the older data: a cache keyed by
anything the process keeps to itself would show them again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, func, select

from geo import auth, db, reports, schema, store
from geo.access import Role, User
from geo.period import Period, active_pairings
from geo.settings import local_today
from tests.conftest import unavailable
from tests.test_browser import (
    CLERK,
    CLERK_PASSWORD,
    PASSWORD,
    USERNAME,
    _free_port,
    _fresh_login,
    _log_in,
    _screenshot,
    _settled_map,
    _start_app,
    _stop,
    _wait_until_idle,
    _wait_until_ready,
)
from tests.test_browser_forms import _choose

pytestmark = pytest.mark.browser
ADMIN = User("cli:test", Role.ADMIN)
COOKIE_KEY = "browser-replicas-cookie-key-" + "r" * 32
NEVER = "从未走访"
SUMMARY = "另一进程录入：帮助修路，走访农户"
CARD = """
(label) => {
  const card = [...document.querySelectorAll("[data-testid='stMetric']")].find(
      (c) => c.querySelector("[data-testid='stMetricLabel']").innerText.trim() === label);
  return card ? card.querySelector("[data-testid='stMetricValue']").innerText.trim() : null;
}
"""


def paired_never_visited(engine: Engine, as_of: date) -> tuple[str, str, str]:
    """A paired village never visited by ``as_of``: its code, name and a department
    paired with it."""
    inputs = reports.load_coverage_inputs(engine, ADMIN, Period(as_of, 90), 90)
    report = reports.coverage_report(inputs, store.load_townships(engine), neglected_only=True)
    village = next(v for v in report["villages"]
                   if v["paired"] and "NEVER_VISITED" in v["reasons"])
    pairings = active_pairings(store.load_pairings(engine), as_of)
    department = pairings.loc[pairings["village_code"] == village["code"],
                              "department_code"].iloc[0]
    return village["code"], village["name"], department


@pytest.fixture
def two_apps(seeded_postgres_url: str, tmp_path: Path) -> Iterator[dict]:
    """The sample county (history ending today) on a fresh PostgreSQL database, a liaison
    of a department paired with a never-visited village and a leader, and two app
    processes on it with one cookie key."""
    postgres_url = seeded_postgres_url
    engine = db.make_engine(postgres_url)
    try:
        today = local_today()
        code, name, department = paired_never_visited(engine, today)
        auth.create_user(engine, ADMIN, CLERK, "liaison", department, CLERK_PASSWORD)
        auth.create_user(engine, ADMIN, USERNAME, "leader", None, PASSWORD)
    finally:
        engine.dispose()
    apps = [_start_app(postgres_url, logs=tmp_path, env={"PAIRMAP_COOKIE_KEY": COOKIE_KEY})
            for _ in range(2)]
    try:
        first, second = (next(app) for app in apps)
        yield {"url": postgres_url, "first": first.rstrip("/"), "second": second.rstrip("/"),
               "village": code, "name": name, "today": today, "department": department,
               "processes": apps}
    finally:
        for app in apps:
            app.close()  # stops the process


def _card(page, label: str) -> int:
    """The KPI card ``label`` of the page's last run, once the run is over."""
    _wait_until_idle(page)
    page.locator("[data-testid='stMetric']", has_text=label).first.wait_for(timeout=60_000)
    return int(page.evaluate(CARD, label))


def _legend_count(page, label: str) -> int:
    """The count beside ``label`` in the legend of the page's one settled map."""
    text = _settled_map(page, label).locator(".pairmap-legend").inner_text()
    found = re.search(re.escape(label) + r"\D*(\d+)", text)
    assert found, text
    return int(found.group(1))


def _visits_of(url: str, village: str, day: date) -> int:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(schema.visits).where(
                schema.visits.c.village_code == village,
                schema.visits.c.date == day)).scalar_one()
    finally:
        engine.dispose()


def _never_visited_in_the_database(url: str, day: date) -> int:
    engine = db.make_engine(url)
    try:
        inputs = reports.load_coverage_inputs(engine, ADMIN, Period(day, 90), 90)
        report = reports.coverage_report(inputs, store.load_townships(engine))
    finally:
        engine.dispose()
    return report["totals"]["never_visited"]


def test_a_visit_recorded_through_one_process_shows_in_the_others_next_run(
        browser, two_apps: dict):
    apps = two_apps
    size = (1280, 720)
    # The leader on the second process: the overview drawn, its figures cached there.
    leader, overview = _fresh_login(browser, f"{apps['second']}/overview", size)
    clerk, form = _fresh_login(browser, f"{apps['first']}/record", size, CLERK,
                               CLERK_PASSWORD)
    try:
        before = _card(overview, NEVER)
        legend_before = _legend_count(overview, "已结对·从未走访")
        # The liaison records a visit to the village on the first process's form.
        form.get_by_text("新增走访记录").wait_for(timeout=60_000)
        _wait_until_idle(form)
        _choose(form, "村（社区）", apps["name"])
        _choose(form, "类型", "政策宣讲")
        entry = form.locator("[data-testid='stForm']").first
        entry.get_by_label("工作内容").fill(SUMMARY)
        entry.get_by_label("走访户数").fill("12")
        entry.get_by_role("button", name="保存").click()
        form.get_by_text("已保存，编号").wait_for(timeout=30_000)
        assert _visits_of(apps["url"], apps["village"], apps["today"]) == 1

        overview.reload(wait_until="domcontentloaded")  # the second process's next run
        after = _card(overview, NEVER)
        legend_after = _legend_count(overview, "已结对·从未走访")
        # The liaison's login cookie, made by the first process, opens the second one.
        form.goto(f"{apps['second']}/overview", wait_until="domcontentloaded")
        as_liaison = _card(form, NEVER)
        logged_in = form.locator("[data-testid='stSidebar']").inner_text()
    except Exception:
        _screenshot(overview, "replicas-second-process-failed")
        _screenshot(form, "replicas-first-process-failed")
        raise
    finally:
        leader.close()
        clerk.close()
    expected = _never_visited_in_the_database(apps["url"], apps["today"])
    assert expected == before - 1
    assert after == expected
    assert legend_after == legend_before - 1
    assert as_liaison == expected
    assert CLERK in logged_in, logged_in


NGINX_CONF = """
worker_processes 1;
{user}
error_log {folder}/error.log;
pid {folder}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    # The README's upstream and location (no TLS here: no Secure cookie flags either).
    upstream pairmap {{
        hash $remote_addr consistent;
        server {first} max_fails=3 fail_timeout=30s;
        server {second} max_fails=3 fail_timeout=30s;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 200m;
        location = /_stcore/metrics {{ return 404; }}
        location / {{
            proxy_pass http://pairmap;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
            proxy_read_timeout 86400;
            add_header X-Replica $upstream_addr always;  # for this test: who answered
        }}
    }}
}}
"""


def _nginx() -> str:
    """The nginx binary: ``PAIRMAP_TEST_NGINX``, else on the path or in /usr/sbin."""
    found = (os.environ.get("PAIRMAP_TEST_NGINX") or shutil.which("nginx")
             or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None))
    if not found:
        unavailable("nginx is not installed (Debian package `nginx`, or PAIRMAP_TEST_NGINX)")
    return found


@pytest.fixture
def proxied(two_apps: dict) -> Iterator[dict]:
    """nginx, as the README configures it, in front of the two app processes."""
    nginx = _nginx()
    folder = Path(tempfile.mkdtemp(prefix="pairmap-nginx-"))
    port = _free_port()
    hosts = [urlsplit(two_apps[name]).netloc for name in ("first", "second")]
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        user="user root;" if os.geteuid() == 0 else "", folder=folder, port=port,
        first=hosts[0], second=hosts[1]), encoding="utf-8")
    process = subprocess.Popen([nginx, "-p", str(folder), "-c", str(conf), "-g",
                                "daemon off;"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(process, f"http://127.0.0.1:{port}/_stcore/health",
                          folder / "error.log")
        yield {**two_apps, "proxy": f"http://127.0.0.1:{port}", "hosts": hosts}
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def _upload(page, csv: str) -> str:
    """Check and import ``csv`` on the Data page; the import's sentence."""
    page.get_by_text("导入台账").wait_for(timeout=60_000)
    upload = page.locator("[data-testid='stFileUploader']").first.locator("input[type=file]")
    upload.set_input_files({"name": "走访.csv", "mimeType": "text/csv",
                            "buffer": csv.encode("utf-8")})
    page.get_by_role("button", name="检查文件").click()
    page.get_by_text("检查完成").wait_for(timeout=60_000)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("导入完成").wait_for(timeout=60_000)
    return page.get_by_text("导入完成").inner_text()


def test_behind_the_readmes_nginx_a_client_stays_on_one_replica_and_survives_its_loss(
        browser, proxied: dict):
    apps = proxied
    context = browser.new_context(viewport={"width": 1280, "height": 720},
                                  accept_downloads=True)
    page = context.new_page()
    try:
        answered = page.goto(f"{apps['proxy']}/data", wait_until="domcontentloaded")
        replica = answered.headers["x-replica"]
        _log_in(page, CLERK, CLERK_PASSWORD)
        template = page.locator(".st-key-template_visits_csv button")
        template.wait_for(timeout=60_000)
        _wait_until_idle(page)
        with page.expect_download(timeout=60_000) as download:
            template.click()
        media = download.value.url
        template_bytes = Path(download.value.path()).read_bytes()
        done = _upload(page, "日期,单位代码,村代码,走访类型,走访户数,工作内容\n"
                             f"{apps['today'].isoformat()},{apps['department']},"
                             f"{apps['village']},走访慰问,5,经代理导入\n")
        seen = {replica}
        page.goto(f"{apps['proxy']}/overview", wait_until="domcontentloaded")
        before_loss = _card(page, NEVER)
        _settled_map(page, "已结对·从未走访")  # the map's WebSocket through the proxy
        # The replica this client was sent to stops; the next load goes to the other.
        apps["processes"][apps["hosts"].index(replica)].close()
        answered = page.goto(f"{apps['proxy']}/overview", wait_until="domcontentloaded")
        seen.add(answered.headers["x-replica"])
        after_loss = _card(page, NEVER)
        sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    except Exception:
        _screenshot(page, "replicas-behind-nginx-failed")
        raise
    finally:
        context.close()
    assert replica in apps["hosts"], replica
    assert urlsplit(media).netloc == urlsplit(apps["proxy"]).netloc, media
    assert urlsplit(media).path.startswith("/media/") and template_bytes, media
    assert "1" in done, done
    expected = _never_visited_in_the_database(apps["url"], apps["today"])
    assert before_loss == expected == after_loss
    assert len(seen) == 2, seen  # served by both replicas, one after the other
    assert CLERK in sidebar, sidebar  # still logged in on the other replica
