"""Schema fuzzing: every API operation, against the portal under Daphne, answers within its OpenAPI schema.

Schemathesis (its command line, in its own process) reads ``/api/schema/``
from the running server and, for each operation, sends the schema's
examples, its coverage cases (boundary values, wrong types, missing and
extra fields, each parameter valid and invalid) and ``MAX_EXAMPLES``
generated requests, with an admin API token of the fuzz organization
(``tests.api.fuzz_world``), derandomized from a fixed seed. Every response
must be no server error and have a documented status code, content type,
headers and body.

Path ids, id filters and related ids in bodies are drawn mostly from real
rows, the bystander organization's included, so the fuzzer reaches real
objects and tries foreign ones; the bystander's rows must come out untouched.

Order: everything but deletes first, then the deletes (in schema order with
the rest, ``DELETE /cameras/{id}/`` would remove the cameras before the
motion, PTZ and clip operations reach them). The token never revokes itself
(``tests.api.fuzz_hooks``) and cannot remove or demote its creator, an owner,
so it keeps working to the end.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from schemathesis.config import SchemathesisConfig

from tests.api.fuzz_world import PUBLIC_URL, FuzzWorld, build_fuzz_world, organization_state
from tests.live.conftest import Server, _start, _stop
from tests.support.services import REPO_ROOT, free_port, subprocess_env, wait_for_port

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Generated requests per operation, on top of the examples and coverage cases.
MAX_EXAMPLES = 10
SEED = 20260301
# Two connections keep the server busy while the fuzzer builds the next request (Django runs one view at a
# time per Daphne process, so more would only queue).
WORKERS = 2
# Hang guards, not time limits: both runs take about 75 s on two cores, several minutes on a busy machine.
RUN_TIMEOUT = 900
# The broker database of the server under test: what it queues lands there and is dropped afterwards, so no
# worker of a later test picks it up.
BROKER_DB = 9
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance")  # fmt: skip
# Which kind of row each path parameter names, by the operation's path.
PATH_KINDS = (
    (r"^/api/v1/cameras/\{id\}/ptz/presets/\{preset_id\}/$", {"path.id": "camera", "path.preset_id": "preset"}),
    (r"^/api/v1/cameras/\{id\}/", {"path.id": "camera"}),
    (r"^/api/v1/sites/\{id\}/", {"path.id": "site"}),
    (r"^/api/v1/clips/\{id\}/", {"path.id": "clip"}),
    (r"^/api/v1/motion-events/\{id\}/", {"path.id": "event"}),
    (r"^/api/v1/webhooks/\{id\}/", {"path.id": "webhook"}),
    (r"^/api/v1/notification-rules/\{id\}/", {"path.id": "rule"}),
    (r"^/api/v1/notification-deliveries/\{id\}/", {"path.id": "delivery"}),
    (r"^/api/v1/members/\{id\}/", {"path.id": "member"}),
    (r"^/api/v1/tokens/\{id\}/", {"path.id": "token"}),
    (r"^/api/v1/organizations/\{id\}/", {"path.id": "organization"}),
)
# ...and each filter and body field that names a row.
FIELD_KINDS = {
    "query.organization": "organization", "query.camera": "camera", "query.site": "site",
    "query.webhook": "webhook", "query.rule": "rule", "query.event": "event",
    "body.organization": "organization", "body.site": "site", "body.camera": "camera", "body.webhook": "webhook",
    "body.preset": "preset", "body.sites[*]": "site", "body.cameras[*]": "camera",
}  # fmt: skip
REAL_ID_PROBABILITY = 0.8
# Every operation of the API, from the schema the server will serve.
OPERATIONS = [(method, path) for path, item in SchemaGenerator().get_schema(request=None, public=True)["paths"].items()
              for method in item if method in ("get", "post", "put", "patch", "delete")]  # fmt: skip
# Values the server accepts where the schema can only say "a string", so generated creates and updates
# succeed often enough for their 2xx bodies to be checked too.
VALUES = {
    "timezone": ["UTC", "Europe/Paris"],
    "source": ["rtsp://10.0.5.5:554/stream1", "rtsps://user:pass@192.168.7.20/live"],
    "email": ["fuzz-member@example.test", "guard@example.test"],
    "url": [PUBLIC_URL],
    "seconds": [5, 30],
    "axis": [0.0, 0.25, -0.5],
}
VALUE_FIELDS = {
    "body.timezone": "timezone", "body.main_source": "source", "body.sub_source": "source", "body.email": "email",
    "body.email_to": "email", "body.url": "url", "body.duration": "seconds", "body.pan": "axis", "body.tilt": "axis",
    "body.zoom": "axis",
}  # fmt: skip


def _toml(value: object) -> str:
    """A TOML value (JSON strings, numbers and arrays are TOML too); dicts become inline tables."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(key)} = {_toml(item)}" for key, item in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return json.dumps(value)


def _id(value: object) -> int | str:
    return value if isinstance(value, int) else str(value)  # integer ids stay numbers, UUIDs become text


def _bindings(kinds: dict[str, str]) -> dict[str, dict[str, object]]:
    return {name: {"dictionary": kind, "probability": REAL_ID_PROBABILITY} for name, kind in kinds.items()}


def fuzz_config(world: FuzzWorld) -> str:
    """The fuzzer's configuration file (``schemathesis.toml``)."""
    lines = [
        'hooks = "tests.api.fuzz_hooks"',
        f"seed = {SEED}",
        f"headers = {_toml({'Authorization': f'Token {world.key}'})}",
        "request-timeout = 30",
        "cache = { enabled = false }",  # nothing written under the repository
        f"generation = {_toml({'max-examples': MAX_EXAMPLES, 'deterministic': True, 'database': 'none'})}",
        f"parameters = {_toml(_bindings(FIELD_KINDS | VALUE_FIELDS))}",
        f"checks = {_toml({'enabled': False, **{check: {'enabled': True} for check in CHECKS}})}",
        # Same requests on every run: no learning from responses or from error messages (both would make
        # what is sent depend on the order in which answers arrive).
        "[phases]",
        "stateful = { enabled = false }",
        "coverage = { extra-data-sources = { responses = false } }",
        "fuzzing = { extra-data-sources = { responses = false }, error-feedback = { enabled = false } }",
        "[dictionaries]",
        *(f"{kind} = {_toml({'values': [_id(value) for value in values]})}" for kind, values in world.ids.items()),
        *(f"{kind} = {_toml({'values': values})}" for kind, values in VALUES.items()),
    ]
    for path, kinds in PATH_KINDS:
        lines += ["[[operations]]", f"include-path-regex = {_toml(path)}", f"parameters = {_toml(_bindings(kinds))}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def fuzz_world(transactional_db: None) -> FuzzWorld:
    return build_fuzz_world()


@pytest.fixture
def portal(fuzz_world: FuzzWorld, tmp_path: Path) -> Iterator[Server]:
    """The portal under Daphne on a free port, on the test database, queuing tasks into a throwaway broker."""
    from django.conf import settings

    broker = settings.REDIS_URL.rsplit("/", 1)[0] + f"/{BROKER_DB}"
    port, log_path = free_port(), tmp_path / "daphne.log"
    process = _start([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "portal.asgi:application"],
                     log_path, DJANGO_SETTINGS_MODULE="tests.settings", CELERY_BROKER_URL=broker)  # fmt: skip
    try:
        wait_for_port(port, timeout=30)
        yield Server(port, process, log_path)
    finally:
        _stop(process)
        redis.Redis.from_url(broker).flushdb()


def run_fuzzer(portal: Server, world: FuzzWorld, config: Path, name: str, *selection: str) -> tuple[int, str]:
    """One schemathesis run over the selected operations; returns its exit code and its output."""
    argv = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
            f"{portal.http_url}/api/schema/", "--workers", str(WORKERS), "--no-color", *selection]  # fmt: skip
    env = subprocess_env(FUZZ_OWN_TOKEN_ID=str(world.token.pk), FUZZ_SPARE_TOKEN_ID=str(world.ids["token"][0]))
    result = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)  # noqa: S603
    return result.returncode, f"--- {name} ---\n{result.stdout}\n{result.stderr}"


@pytest.mark.timeout(2 * RUN_TIMEOUT + 120)
def test_every_operation_answers_within_its_schema(fuzz_world: FuzzWorld, portal: Server, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(fuzz_config(fuzz_world))
    bystander_before = organization_state(fuzz_world.bystander)

    runs = [
        run_fuzzer(portal, fuzz_world, config, "all but deletes", "--exclude-method", "DELETE"),
        run_fuzzer(portal, fuzz_world, config, "deletes", "--include-method", "DELETE"),
    ]

    report = "\n".join(output for _, output in runs) + f"\n--- server log ---\n{portal.log_text()[-6000:]}"
    assert [code for code, _ in runs] == [0, 0], report
    assert sum(operations_tested(output) for _, output in runs) == len(OPERATIONS), report
    fuzz_world.token.refresh_from_db()
    assert fuzz_world.token.is_active, report
    assert organization_state(fuzz_world.bystander) == bystander_before


def operations_tested(output: str) -> int:
    """How many operations a run tested, from its summary ("Tested: 54")."""
    match = re.search(r"^\s*Tested: (\d+)$", output, re.MULTILINE)
    return int(match.group(1)) if match else 0


def known_good_writes(world: FuzzWorld) -> list[tuple[str, str, dict[str, Any], object, int]]:
    """(method, path, path parameters, JSON body, expected status) of one valid request per write operation.

    Generated bodies rarely pass every server-side rule at once (a real camera source, a time zone, a
    webhook endpoint of the same organization), so the success bodies of these operations are checked here.
    """
    ids, organization = world.ids, world.organization.pk
    camera, event, webhook = {"id": ids["camera"][0]}, {"id": ids["event"][0]}, {"id": ids["webhook"][0]}
    settings = {"enabled": True, "sensitivity": 60, "min_area": 1.5, "analysis_fps": 5, "cooldown_seconds": 60,
                "masks": [[[0, 0], [0.2, 0], [0.2, 0.2]]],
                "schedule": [{"days": [0, 1], "start": "18:00", "end": "07:00"}]}  # fmt: skip
    recording = {"mode": "events", "stream": "both", "pre_roll_seconds": 5, "post_roll_seconds": 20,
                 "continuous_retention_days": None, "event_retention_days": 90}  # fmt: skip
    return [
        ("POST", "/api/v1/sites/", {}, {"organization": organization, "name": "Known site", "timezone": "UTC"}, 201),
        ("POST", "/api/v1/cameras/", {}, {"site": str(ids["site"][0]), "name": "Known camera",
                                          "main_source": VALUES["source"][0]}, 201),
        ("POST", "/api/v1/clips/", {}, {"camera": str(camera["id"]), "duration": 5}, 201),
        # Adding a member sends an invitation: 202, the person is a member once they accept.
        ("POST", "/api/v1/members/", {}, {"organization": organization, "email": "known@example.test",
                                          "role": "viewer", "sites": [str(ids["site"][0])]}, 202),
        ("POST", "/api/v1/webhooks/", {}, {"organization": organization, "name": "Known", "url": PUBLIC_URL}, 201),
        ("POST", "/api/v1/notification-rules/", {}, {"organization": organization, "personal": False, "name": "Known",
                                                     "channel": "webhook", "webhook": str(webhook["id"])}, 201),
        ("POST", "/api/v1/cameras/{id}/ptz/", camera, {"action": "move", "pan": 0.5, "tilt": 0, "zoom": 0}, 202),
        ("POST", "/api/v1/cameras/{id}/ptz/presets/", camera, {"name": "Known preset"}, 202),
        ("POST", "/api/v1/cameras/{id}/ptz/capabilities/", camera, None, 202),
        ("PUT", "/api/v1/cameras/{id}/motion/", camera, settings, 200),
        ("PUT", "/api/v1/cameras/{id}/recording/", camera, recording, 200),
        ("PATCH", "/api/v1/organizations/{id}/storage/", {"id": organization},
         {"quota_bytes": None, "continuous_retention_days": 10, "event_retention_days": 60}, 200),
        ("PATCH", "/api/v1/organizations/{id}/storage/tier/", {"id": organization},
         {"kind": "local", "move_after_hours": 48}, 200),
        ("POST", "/api/v1/motion-events/{id}/acknowledge/", event, {"note": "Checked"}, 200),
        ("POST", "/api/v1/webhooks/{id}/test/", webhook, None, 202),
        ("POST", "/api/v1/webhooks/{id}/rotate-secret/", webhook, None, 200),
        ("POST", "/api/v1/tokens/{id}/revoke/", {"id": ids["token"][0]}, None, 200),
    ]


def test_known_good_writes_answer_within_their_schema(fuzz_world: FuzzWorld, portal: Server) -> None:
    checks = {"enabled": False, **{check: {"enabled": True} for check in CHECKS}}
    schema = schemathesis.openapi.from_url(f"{portal.http_url}/api/schema/", config=SchemathesisConfig.from_dict(
        {"checks": checks}))
    token, statuses = {"Authorization": f"Token {fuzz_world.key}"}, {}

    for method, path, parameters, body, _ in known_good_writes(fuzz_world):
        case = schema[path][method].Case(path_parameters=parameters, **({"body": body} if body is not None else {}),
                                         media_type="application/json" if body is not None else None)  # fmt: skip
        statuses[f"{method} {path}"] = case.call_and_validate(headers=token).status_code

    assert statuses == {f"{method} {path}": status for method, path, _, _, status in known_good_writes(fuzz_world)}
