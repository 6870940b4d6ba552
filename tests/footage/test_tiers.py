"""Storage tiers against real stores (moto's S3 server, Azurite): moving, verifying, deleting, reading back.

Each flow runs on both kinds (``remote`` is parametrized). Segments are
indexed through the index service with real files of random bytes and their
real SHA-256, as the recorder writes them.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from django.utils import timezone

from accounts.models import Organization, User
from accounts.roles import Role
from cameras.models import Camera
from recordings.clips import range_exports
from recordings.footage import holds, housekeeping, layout, mover, reading, removal, stores, tasks, tier_config
from recordings.footage.models import Segment, StoragePolicy, StorageTier, Tier
from recordings.models import ClipStatus
from recordings.storage import clip_storage
from tests.api.conftest import API, api_as, tokens  # noqa: F401  (fixtures)
from tests.conftest import World
from tests.footage.helpers import add
from tests.footage.test_housekeeping_worker import worker  # noqa: F401  (fixture)
from tests.playback.helpers import record
from tests.recordings.range_helpers import index_recording, make_recording, probe
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.django_db]


@dataclass
class Remote:
    """One kind of store, set up for organization A (``which="a"``) or B (``"b"``)."""

    kind: str
    configure: Callable[[User, Organization, str], StorageTier]
    keys: Callable[[str], set[str]]
    stop: Callable[[], None]
    start: Callable[[], None]


@pytest.fixture(autouse=True)
def _fresh_store_cache() -> Iterator[None]:
    stores.clear_cache()
    mover._delete_failed_at.clear()
    yield
    stores.clear_cache()
    mover._delete_failed_at.clear()


def _s3(settings, moto_s3) -> Remote:  # type: ignore[no-untyped-def]
    settings.CCTV_STORAGE_EXTRA_ALLOWED_HOSTS = [moto_s3.host_port]

    def configure(user: User, organization: Organization, which: str) -> StorageTier:
        return tier_config.update_tier(user, organization.pk, kind=Tier.S3, move_after_hours=1,
                                       endpoint_url=moto_s3.url, region="us-east-1", bucket=f"footage-{which}",
                                       access_key=f"key-of-{which}", secret_key=f"secret-of-{which}")

    def keys(which: str) -> set[str]:
        return moto_s3.keys(f"footage-{which}")

    return Remote(Tier.S3, configure, keys, moto_s3.go_down, moto_s3.come_back)


def _azure(settings, azurite) -> Remote:  # type: ignore[no-untyped-def]
    settings.CCTV_STORAGE_EXTRA_ALLOWED_HOSTS = [azurite.host_port]
    accounts = dict(zip("ab", azurite.accounts, strict=True))

    def configure(user: User, organization: Organization, which: str) -> StorageTier:
        account = accounts[which]
        return tier_config.update_tier(user, organization.pk, kind=Tier.AZURE, move_after_hours=1,
                                       endpoint_url=azurite.account_url(account), bucket="footage",
                                       access_key=account, secret_key=azurite.key(account))

    def keys(which: str) -> set[str]:
        return azurite.keys(accounts[which], "footage")

    return Remote(Tier.AZURE, configure, keys, azurite.go_down, azurite.come_back)


@pytest.fixture(params=[Tier.S3, Tier.AZURE])
def remote(request, settings, footage_root: Path) -> Iterator[Remote]:  # type: ignore[no-untyped-def]
    """One kind of store, empty at the start of the test."""
    if request.param == Tier.S3:
        server = request.getfixturevalue("moto_s3")
        server.empty()
        yield _s3(settings, server)
    else:
        server = request.getfixturevalue("azurite")
        server.empty("footage")
        yield _azure(settings, server)


def recorded(camera: Camera, end: datetime, size: int = 4096) -> Segment:
    """A segment that ended at ``end``, with a local file of random bytes and their SHA-256 in the index."""
    segment = add(camera, end - timedelta(seconds=10), 10.0, size=size)
    data = os.urandom(size)
    path = layout.path_of(segment.key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    Segment.objects.filter(pk=segment.pk).update(sha256=hashlib.sha256(data).hexdigest())
    segment.refresh_from_db()
    return segment


def content(segment: Segment) -> bytes:
    with reading.open_segment(segment) as stream:
        return stream.read()


def test_old_segments_move_verified_and_only_then_leave_the_disk(world: World, remote: Remote) -> None:
    remote.configure(world.owner, world.org_a, "a")
    now = timezone.now()
    old = [recorded(world.camera_a1, now - timedelta(hours=3)), recorded(world.camera_a2, now - timedelta(hours=2))]
    fresh = recorded(world.camera_a1, now - timedelta(minutes=30))
    originals = {segment.pk: layout.path_of(segment.key).read_bytes() for segment in [*old, fresh]}

    result = mover.move_footage(now, 50)

    assert (result.moved, result.failed) == (2, 0)
    assert remote.keys("a") == {segment.key for segment in old}
    for segment in old:
        segment.refresh_from_db()
        assert (segment.tier, segment.key) == (remote.kind, segment.key)
        assert not layout.path_of(segment.key).exists()
        assert content(segment) == originals[segment.pk]
    fresh.refresh_from_db()
    assert fresh.tier == Tier.LOCAL and layout.path_of(fresh.key).exists()
    tier = StorageTier.objects.get(organization=world.org_a)
    assert (tier.moved_segments, tier.move_failures, tier.move_error) == (2, 0, "")


def test_a_copy_that_differs_from_the_index_is_removed_and_the_local_file_kept(
    world: World, remote: Remote, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote.configure(world.owner, world.org_a, "a")
    now = timezone.now()
    segment = recorded(world.camera_a1, now - timedelta(hours=3))
    original = layout.path_of(segment.key).read_bytes()
    put = stores.Store.put

    def corrupting_put(self: stores.Store, key: str, file: io.BufferedReader) -> None:
        data = bytearray(file.read())
        data[100] ^= 0xFF  # one bit flipped on the way
        put(self, key, io.BytesIO(bytes(data)))

    monkeypatch.setattr(stores.Store, "put", corrupting_put)
    result = mover.move_footage(now, 50)

    assert (result.moved, result.failed) == (0, 1)
    segment.refresh_from_db()
    assert segment.tier == Tier.LOCAL and segment.move_failures == 1 and segment.move_retry_at > now
    assert layout.path_of(segment.key).read_bytes() == original
    assert remote.keys("a") == set()  # the bad copy is gone
    assert "did not match" in StorageTier.objects.get(organization=world.org_a).move_error
    # Not tried again before its back-off; then it moves once the copy is right.
    assert mover.move_footage(now, 50).handled == 0
    monkeypatch.setattr(stores.Store, "put", put)
    assert mover.move_footage(segment.move_retry_at, 50).moved == 1


def test_with_the_store_down_nothing_is_lost_and_the_move_completes_once_it_is_back(
    world: World, remote: Remote
) -> None:
    remote.configure(world.owner, world.org_a, "a")
    now = timezone.now()
    segment = recorded(world.camera_a1, now - timedelta(hours=3))
    original = layout.path_of(segment.key).read_bytes()
    remote.stop()
    try:
        result = mover.move_footage(now, 50)
        assert (result.moved, result.organizations_failing) == (0, 1)
        segment.refresh_from_db()
        assert segment.tier == Tier.LOCAL and layout.path_of(segment.key).read_bytes() == original
        tier = StorageTier.objects.get(organization=world.org_a)
        assert tier.move_failures == 1 and tier.move_retry_at > now and "store failed" in tier.move_error
        assert mover.move_footage(now, 50).handled == 0  # backing off
    finally:
        remote.start()
    stores.clear_cache()
    assert mover.move_footage(tier.move_retry_at, 50).moved == 1
    segment.refresh_from_db()
    assert segment.tier == remote.kind and content(segment) == original
    assert StorageTier.objects.get(organization=world.org_a).move_failures == 0


def test_retention_deletes_remote_objects_and_a_hold_keeps_them(world: World, remote: Remote) -> None:
    remote.configure(world.owner, world.org_a, "a")
    now = timezone.now()
    expired = recorded(world.camera_a1, now - timedelta(days=8))  # 7 days of retention by default
    held = recorded(world.camera_a2, now - timedelta(days=8))
    mover.move_footage(now, 50)
    assert remote.keys("a") == {expired.key, held.key}
    holds.create_hold(world.owner, world.camera_a2.public_id, start=held.start, end=held.end, reason="case 12")

    housekeeping.expire_footage(now, 50)

    assert remote.keys("a") == {held.key}
    assert not Segment.objects.filter(pk=expired.pk).exists()
    assert Segment.objects.get(pk=held.pk).tier == remote.kind


def test_a_short_lived_url_fetches_the_bytes_and_then_stops_working(world: World, remote: Remote) -> None:
    remote.configure(world.owner, world.org_a, "a")
    now = timezone.now()
    segment = recorded(world.camera_a1, now - timedelta(hours=3))
    original = layout.path_of(segment.key).read_bytes()
    mover.move_footage(now, 50)
    segment.refresh_from_db()

    location = reading.locate(segment, expires_in=2)

    assert location.path is None and location.url
    answer = httpx.get(location.url, timeout=10)
    assert answer.status_code == 200 and answer.content == original
    if remote.kind == Tier.S3:
        # moto serves presigned URLs without checking their expiry; the signed lifetime is what S3 enforces.
        assert parse_qs(urlsplit(location.url).query)["X-Amz-Expires"] == ["2"]
    else:  # Azurite checks the SAS expiry
        wait_until(lambda: httpx.get(location.url, timeout=10).status_code == 403, timeout=30)


def test_a_local_segment_is_located_on_disk(world: World, footage_root: Path) -> None:
    segment = recorded(world.camera_a1, timezone.now())
    assert reading.locate(segment) == reading.Location(path=layout.path_of(segment.key))
    assert content(segment) == layout.path_of(segment.key).read_bytes()


def test_each_organization_footage_goes_to_its_own_store_with_its_own_credentials(
    world: World, remote: Remote
) -> None:
    remote.configure(world.owner, world.org_a, "a")
    remote.configure(world.admin_b, world.org_b, "b")
    now = timezone.now()
    of_a = recorded(world.camera_a1, now - timedelta(hours=3))
    of_b = recorded(world.camera_b, now - timedelta(hours=3))
    bytes_b = layout.path_of(of_b.key).read_bytes()

    assert mover.move_footage(now, 50).moved == 2

    assert remote.keys("a") == {of_a.key} and remote.keys("b") == {of_b.key}
    of_b.refresh_from_db()
    assert content(of_b) == bytes_b  # read back with B's credentials (Azurite checks them)
    housekeeping.expire_footage(now + timedelta(days=8), 50)
    assert remote.keys("a") == set() and remote.keys("b") == set()


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_moves_footage_on_a_real_worker(settings, azurite, request, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_RECORDINGS_DIR = tmp_path / "recordings"
    settings.CCTV_STORAGE_EXTRA_ALLOWED_HOSTS = [azurite.host_port]
    azurite.empty("footage")
    owner = make_user()
    organization = make_organization("Tiered Org")
    make_member(owner, organization, Role.OWNER)
    camera = make_camera(make_site(organization, "Depot"), "Dock")
    account = azurite.accounts[0]
    tier_config.update_tier(owner, organization.pk, kind=Tier.AZURE, move_after_hours=1, bucket="footage",
                            endpoint_url=azurite.account_url(account), access_key=account,
                            secret_key=azurite.key(account))
    segment = recorded(camera, timezone.now() - timedelta(hours=2))
    request.getfixturevalue("worker")(settings.CCTV_RECORDINGS_DIR, CCTV_STORAGE_EXTRA_ALLOWED_HOSTS=azurite.host_port)

    tasks.move_footage.delay()

    wait_until(lambda: Segment.objects.get(pk=segment.pk).tier == Tier.AZURE, timeout=60)
    assert azurite.keys(account, "footage") == {segment.key}
    assert not layout.path_of(segment.key).exists()


def _after_upload(monkeypatch: pytest.MonkeyPatch, then: Callable[[], None]) -> None:
    """Make ``then`` happen right after the mover's upload (another pass, retention) and before its switch."""
    put = stores.Store.put

    def put_then(self: stores.Store, key: str, file: io.BufferedReader) -> None:
        put(self, key, file)
        then()

    monkeypatch.setattr(stores.Store, "put", put_then)


def test_a_segment_deleted_while_it_uploads_leaves_no_object_behind(
    world: World, remote: Remote, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote.configure(world.owner, world.org_a, "a")
    now = timezone.now()
    segment = recorded(world.camera_a1, now - timedelta(hours=3))
    _after_upload(monkeypatch, lambda: removal.delete_segments([segment.pk]))

    assert mover.move_footage(now, 50).moved == 0

    assert not Segment.objects.filter(pk=segment.pk).exists()
    assert remote.keys("a") == set()


def test_a_segment_another_pass_moved_meanwhile_keeps_its_remote_copy(
    world: World, remote: Remote, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote.configure(world.owner, world.org_a, "a")
    now = timezone.now()
    segment = recorded(world.camera_a1, now - timedelta(hours=3))
    original = layout.path_of(segment.key).read_bytes()

    def other_pass_switched() -> None:
        Segment.objects.filter(pk=segment.pk).update(tier=remote.kind)
        layout.path_of(segment.key).unlink()

    _after_upload(monkeypatch, other_pass_switched)

    assert mover.move_footage(now, 50).moved == 0
    segment.refresh_from_db()
    assert remote.keys("a") == {segment.key} and content(segment) == original


def test_a_quota_deletes_the_oldest_remote_footage_first(world: World, remote: Remote) -> None:
    remote.configure(world.owner, world.org_a, "a")
    now = timezone.now()
    oldest, older, recent = (recorded(world.camera_a1, now - timedelta(hours=hours)) for hours in (5, 4, 3))
    assert mover.move_footage(now, 50).moved == 3
    StoragePolicy.objects.create(organization=world.org_a, quota_bytes=2 * 4096)

    housekeeping.enforce_quotas(50)

    assert remote.keys("a") == {older.key, recent.key}
    assert not Segment.objects.filter(pk=oldest.pk).exists()


def test_the_back_off_doubles_from_the_first_wait_up_to_its_cap(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_FOOTAGE_MOVE_RETRY_SECONDS, settings.CCTV_FOOTAGE_MOVE_RETRY_MAX_SECONDS = 60, 3600

    waits = [mover.backoff(failures).total_seconds() for failures in (1, 2, 3, 6, 7, 1000)]

    assert waits == [60, 120, 240, 1920, 3600, 3600]


def test_with_the_store_down_deletion_fails_fast_and_keeps_the_rows_for_the_next_run(
    world: World, remote: Remote, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote.configure(world.owner, world.org_a, "a")
    now = timezone.now()
    expired = [recorded(world.camera_a1, now - timedelta(days=8, minutes=m)) for m in (1, 2, 3)]
    assert mover.move_footage(now, 50).moved == 3
    tries = []
    delete = stores.Store.delete
    monkeypatch.setattr(stores.Store, "delete", lambda self, key: (tries.append(key), delete(self, key))[1])
    remote.stop()
    try:
        removed = removal.delete_segments([segment.pk for segment in expired])
    finally:
        remote.start()
    stores.clear_cache()

    # One try reached the (stopped) store; the other two did not wait for it under the cameras' locks.
    assert (removed.segments, removed.failed, len(tries)) == (0, 3, 1)
    assert Segment.objects.filter(pk__in=[segment.pk for segment in expired]).count() == 3
    mover._delete_failed_at.clear()  # the pause is over
    assert removal.delete_segments([segment.pk for segment in expired]).segments == 3


@pytest.fixture(scope="module")
def media_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three real 10 s fMP4 segments of one run (a keyframe every 2 s)."""
    return make_recording(tmp_path_factory.mktemp("tier-footage"), count=3)


def test_a_range_export_cuts_footage_that_lives_on_the_remote_store(
    world: World, remote: Remote, media_files: list[Path]
) -> None:
    remote.configure(world.owner, world.org_a, "a")
    start = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    index_recording(world.camera_a1, start, media_files)
    assert mover.move_footage(timezone.now(), 50).moved == 3
    assert not any(layout.path_of(s.key).exists() for s in Segment.objects.filter(camera=world.camera_a1))

    clip = range_exports.request_range_clip(world.operator, world.camera_a1.public_id,
                                            start + timedelta(seconds=4), start + timedelta(seconds=26))
    range_exports.cut_range_clip(clip.pk, task_id=clip.task_id, last_try=False)

    clip.refresh_from_db()
    assert clip.status == ClipStatus.READY, clip.reason
    facts = probe(Path(clip_storage().path(clip.file.name)))
    assert float(facts["format"]["duration"]) == pytest.approx(22, abs=0.15)
    assert set(Segment.objects.filter(camera=world.camera_a1).values_list("tier", flat=True)) == {remote.kind}


def test_footage_on_the_remote_store_plays_through_a_playback_session(
    world: World, remote: Remote, fmp4_files: list[Path], api_as: Callable  # noqa: F811  (fixture)
) -> None:
    remote.configure(world.owner, world.org_a, "a")
    start = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    originals = [layout.path_of(s.key).read_bytes() for s in record(world.camera_a1, fmp4_files[:2], start)]
    assert mover.move_footage(timezone.now(), 50).moved == 2
    viewer = api_as("viewer")

    body = viewer.post(f"{API}/cameras/{world.camera_a1.public_id}/playback/",
                       {"start": start.isoformat(), "end": (start + timedelta(minutes=5)).isoformat()},
                       format="json").json()
    playlist = viewer.get(urlsplit(body["playlist_url"]).path).content.decode()
    urls = [urlsplit(urljoin(body["playlist_url"], line)).path
            for line in playlist.splitlines() if line.startswith("s/")]

    assert len(urls) == 2
    first = Segment.objects.get(camera=world.camera_a1, start=start)
    assert first.tier == remote.kind and not layout.path_of(first.key).exists()
    whole = viewer.get(urls[0])
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == originals[0]
    part = viewer.get(urls[0], HTTP_RANGE=f"bytes={first.init_size}-{first.bytes - 1}")
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == originals[0][first.init_size:]


def test_remote_footage_whose_store_is_down_answers_404_with_a_reason(
    world: World, remote: Remote, fmp4_files: list[Path], api_as: Callable  # noqa: F811  (fixture)
) -> None:
    remote.configure(world.owner, world.org_a, "a")
    start = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    record(world.camera_a1, fmp4_files[:1], start)
    assert mover.move_footage(timezone.now(), 50).moved == 1
    viewer = api_as("viewer")
    body = viewer.post(f"{API}/cameras/{world.camera_a1.public_id}/playback/",
                       {"start": start.isoformat(), "end": (start + timedelta(minutes=5)).isoformat()},
                       format="json").json()
    playlist = viewer.get(urlsplit(body["playlist_url"]).path).content.decode()
    url = next(urlsplit(urljoin(body["playlist_url"], line)).path
               for line in playlist.splitlines() if line.startswith("s/"))

    remote.stop()
    stores.clear_cache()
    try:
        answer = viewer.get(url)
    finally:
        remote.start()

    assert answer.status_code == 404 and "cannot be reached" in answer.json()["detail"]


@pytest.mark.sqlite  # the check runs beside bin/start's SQLite too
def test_the_check_compares_remote_footage_with_its_store_and_repairs_it(world: World, remote: Remote) -> None:
    """``check_footage`` on a remote tier: a row whose object is gone, a stray object, a move in progress."""
    from recordings.footage import check

    remote.configure(world.owner, world.org_a, "a")
    now = timezone.now()
    three_hours_ago = now - timedelta(hours=3)
    kept, lost = recorded(world.camera_a1, three_hours_ago), recorded(world.camera_a2, three_hours_ago)
    assert mover.move_footage(now, 50).moved == 2
    store = stores.store_for(world.org_a.pk)
    store.delete(lost.key)  # gone from the store behind the index's back
    stray = f"{world.org_a.pk}/{world.camera_a1.public_id.hex}/main/stray.mp4"
    store.put(stray, io.BytesIO(b"not footage"))
    moving = recorded(world.camera_a1, now - timedelta(minutes=5))  # still local; its upload has begun
    store.put(moving.key, io.BytesIO(layout.path_of(moving.key).read_bytes()))

    found = check.check(min_age=0)
    assert found.rows_without_files == [f"{remote.kind}:{lost.key}"]
    assert found.files_without_rows == [f"{remote.kind}:{stray}"]
    assert (found.size_mismatches, found.counters, found.unreachable) == ([], [], [])

    assert check.check(repair=True, min_age=0).repaired == 2
    assert not Segment.objects.filter(pk=lost.pk).exists() and Segment.objects.filter(pk=kept.pk).exists()
    assert remote.keys("a") == {kept.key, moving.key}  # the stray went, the move in progress stayed
    assert check.check(min_age=0).problems == 0  # counters followed the removed row

    remote.stop()
    try:
        down = check.check(min_age=0)
    finally:
        remote.start()
    assert len(down.unreachable) == 1 and f"organization {world.org_a.pk}" in down.unreachable[0]
