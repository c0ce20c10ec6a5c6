"""Video and animated GIF uploads: checked with ffprobe when uploaded, transcoded with ffmpeg
in the worker to H.264 MP4 (yuv420p, faststart, at most 1920 px), with a poster frame.

Untrusted files meet ffmpeg here, so every run reads only local files (`-protocol_whitelist
file`) and only the demuxers of the formats we accept (`-format_whitelist`): a "video" that is
really an HLS playlist naming internal URLs is refused before anything is fetched. Every run
has a time limit.
"""

import io
import json
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from storefeed.core.errors import ValidationFailed
from storefeed.posts.media import THUMBNAIL_EDGE, _blurhash, _megabytes

# The demuxers of MP4/MOV, WebM (Matroska) and GIF.
DEMUXERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,gif"
SAFE_INPUT = ["-protocol_whitelist", "file", "-format_whitelist", DEMUXERS]
MAX_EDGE = 1920
# Mastodon's limits for what is uploaded: 4K (3840 × 2160 pixels) and 120 frames a second.
MAX_VIDEO_PIXELS = 3840 * 2160
MAX_SOURCE_FRAME_RATE = 120
# What is served: at most 60 frames a second.
MAX_FRAME_RATE = 60
# A silent video this short plays like a GIF (Mastodon's "gifv": looping, muted, no controls).
GIFV_MAX_SECONDS = 60.0
PROBE_SECONDS = 30
# Transcoding may take a while for a long video on a small machine; beyond this it is refused.
TRANSCODE_SECONDS = 900
log = logging.getLogger(__name__)
VIDEO_EXTENSIONS = (".mp4", ".m4v", ".mov", ".webm", ".gif")


class VideoUnavailable(ValidationFailed):
    """ffmpeg or ffprobe is not installed where the settings say (logged with the reason)."""

    def __init__(self, reason: str) -> None:
        log.error("videos cannot be processed: %s", reason)
        super().__init__(_("Videos cannot be processed on this server right now."), field="file")


def ffmpeg_missing() -> str | None:
    """Why videos cannot be processed here, or None when ffmpeg and ffprobe are there."""
    for tool in (settings.FFMPEG, settings.FFPROBE):
        path = Path(tool) if "/" in tool else Path(shutil.which(tool) or tool)
        if not path.is_file():
            return f"needs {tool} (apt-get install ffmpeg)"
    return None


def looks_like_video(upload: UploadedFile) -> bool:
    """Whether `upload` should go the video way: a container of MP4/MOV or WebM, an animated
    GIF, or a file that calls itself a video (so it is refused as a video, not as an image)."""
    head = upload.read(64)
    upload.seek(0)
    if head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3":
        return True
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _animated_gif(upload)
    declared = (getattr(upload, "content_type", "") or "").lower()
    name = (upload.name or "").lower()
    return declared.startswith("video/") or name.endswith(VIDEO_EXTENSIONS[:-1])


def _animated_gif(upload: UploadedFile) -> bool:
    try:
        with Image.open(upload) as probe:
            frames = int(getattr(probe, "n_frames", 1))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        frames = 1
    upload.seek(0)
    return frames > 1


@dataclass
class Probe:
    format_name: str
    duration: float
    bitrate: int
    width: int
    height: int
    frame_rate: str  # as ffprobe gives it, "25/1" (Mastodon's meta.original.frame_rate)
    has_audio: bool
    audio: dict[str, Any] = field(default_factory=dict)

    @property
    def is_gif(self) -> bool:
        return self.format_name == "gif"

    @property
    def fps(self) -> float:
        try:
            value = Fraction(self.frame_rate)
        except (ValueError, ZeroDivisionError):
            return 0.0
        return float(value)


def _run(args: list[str], *, seconds: int) -> subprocess.CompletedProcess[bytes]:
    try:
        # No shell; the program is the configured ffmpeg/ffprobe and the file a path we made.
        return subprocess.run(args, capture_output=True, timeout=seconds, check=False)  # noqa: S603
    except FileNotFoundError as missing:
        raise VideoUnavailable(str(missing)) from None
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 124, b"", f"timed out after {seconds} s".encode())


def probe(path: str) -> Probe | None:
    """What ffprobe reads in the file at `path`, or None if it is no video we accept."""
    done = _run(
        [
            settings.FFPROBE,
            "-v",
            "error",
            *SAFE_INPUT,
            "-show_entries",
            "format=format_name,duration,bit_rate:stream=codec_type,codec_name,width,height,"
            "r_frame_rate,avg_frame_rate,duration,sample_rate,channels,channel_layout,bit_rate",
            "-of",
            "json",
            path,
        ],
        seconds=PROBE_SECONDS,
    )
    if done.returncode != 0:
        return None
    try:
        found = json.loads(done.stdout or b"{}")
    except ValueError:
        return None
    streams = found.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    info = found.get("format") or {}
    if video is None or not video.get("width") or not video.get("height"):
        return None
    try:
        duration = float(info.get("duration") or video.get("duration") or 0)
    except ValueError:
        duration = 0.0
    rate = video.get("avg_frame_rate") or video.get("r_frame_rate") or "0/1"
    if rate in ("0/0", "0/1"):
        rate = video.get("r_frame_rate") or "0/1"
    return Probe(
        format_name=str(info.get("format_name") or ""),
        duration=duration,
        bitrate=int(info.get("bit_rate") or 0) if str(info.get("bit_rate") or "").isdigit() else 0,
        width=int(video["width"]),
        height=int(video["height"]),
        frame_rate=str(rate),
        has_audio=audio is not None,
        audio=audio or {},
    )


def check_upload(upload: UploadedFile, *, path: str, field: str = "file") -> Probe:
    """Refuse what cannot become a video post (not a video we read, too long, too large in
    pixels); the byte size is checked by the caller before the file is written."""
    name = upload.name or "video"
    found = probe(path)
    if found is None:
        raise ValidationFailed(
            _("%(name)s is not a video we can read (use MP4, WebM, MOV or an animated GIF).")
            % {"name": name},
            field=field,
        )
    limit = settings.MEDIA_MAX_VIDEO_SECONDS
    if found.duration <= 0 or found.duration > limit:
        raise ValidationFailed(
            _("%(name)s is %(seconds)s seconds long; videos can be at most %(limit)s seconds.")
            % {"name": name, "seconds": f"{found.duration:.0f}", "limit": f"{limit:.0f}"},
            field=field,
        )
    if found.width * found.height > MAX_VIDEO_PIXELS or found.fps > MAX_SOURCE_FRAME_RATE:
        raise ValidationFailed(
            _("%(name)s is too large (%(w)s × %(h)s pixels, %(fps)s frames a second).")
            % {"name": name, "w": found.width, "h": found.height, "fps": round(found.fps)},
            field=field,
        )
    return found


def check_size(upload: UploadedFile, *, field: str = "file") -> None:
    limit = settings.MEDIA_MAX_VIDEO_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationFailed(
            _("%(name)s is %(size)s MB; videos can be at most %(limit)s MB.")
            % {
                "name": upload.name or "video",
                "size": _megabytes(upload.size),
                "limit": _megabytes(limit),
            },
            field=field,
        )


def kind_of(found: Probe) -> str:
    """ "gifv" for a GIF or a short silent video (it loops, muted), else "video"."""
    if found.is_gif or (not found.has_audio and found.duration <= GIFV_MAX_SECONDS):
        return "gifv"
    return "video"


@dataclass
class Transcoded:
    video: ContentFile
    poster: ContentFile
    kind: str
    width: int
    height: int
    blurhash: str
    meta: dict[str, Any]


def _scale_filter() -> str:
    # At most MAX_EDGE on the longer side, never enlarged, even dimensions (yuv420p needs them).
    fit = f"min(1\\,{MAX_EDGE}/max(iw\\,ih))"
    return f"scale=trunc(iw*{fit}/2)*2:trunc(ih*{fit}/2)*2"


def transcode(source: str, *, kind: str) -> Transcoded:
    """H.264 MP4 and a poster frame from the file at `source`. ValueError if ffmpeg fails."""
    with tempfile.TemporaryDirectory(prefix="storefeed-video-") as work:
        out = str(Path(work) / "video.mp4")
        poster = str(Path(work) / "poster.png")
        audio = ["-an"] if kind == "gifv" else ["-c:a", "aac", "-b:a", "128k", "-ac", "2"]
        done = _run(
            [
                settings.FFMPEG,
                "-nostdin",
                "-v",
                "error",
                *SAFE_INPUT,
                "-i",
                source,
                "-map",
                "0:v:0",
                *([] if kind == "gifv" else ["-map", "0:a:0?"]),
                "-t",
                str(settings.MEDIA_MAX_VIDEO_SECONDS),
                "-vf",
                _scale_filter(),
                "-fpsmax",
                str(MAX_FRAME_RATE),
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-crf",
                "23",
                "-pix_fmt",
                "yuv420p",
                "-movflags",
                "+faststart",
                *audio,
                "-map_metadata",
                "-1",
                "-y",
                out,
            ],
            seconds=TRANSCODE_SECONDS,
        )
        if done.returncode != 0 or not Path(out).is_file():
            raise ValueError(done.stderr.decode(errors="replace")[-500:])
        grabbed = _run(
            [
                settings.FFMPEG,
                "-nostdin",
                "-v",
                "error",
                *SAFE_INPUT,
                "-i",
                out,
                "-frames:v",
                "1",
                "-y",
                poster,
            ],
            seconds=PROBE_SECONDS,
        )
        if grabbed.returncode != 0 or not Path(poster).is_file():
            raise ValueError(grabbed.stderr.decode(errors="replace")[-500:])
        result = probe(out)
        if result is None:
            raise ValueError("the transcoded file cannot be read")
        with Image.open(poster) as frame:
            frame.load()
            small = frame.convert("RGB")
        small.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=80, optimize=True)
        return Transcoded(
            video=ContentFile(Path(out).read_bytes(), name="video.mp4"),
            poster=ContentFile(buffer.getvalue(), name="small.jpg"),
            kind=kind,
            width=result.width,
            height=result.height,
            blurhash=_blurhash(small),
            meta=video_meta(result, small_width=small.width, small_height=small.height),
        )


def _length(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours)}:{int(minutes):02d}:{secs:05.2f}"


def video_meta(found: Probe, *, small_width: int, small_height: int) -> dict[str, Any]:
    """The `meta` Mastodon gives a video or gifv, less `focus` (added by the renderer)."""

    def aspect(w: int, h: int) -> float:
        return w / h if h else 1.0

    meta: dict[str, Any] = {
        "length": _length(found.duration),
        "duration": round(found.duration, 3),
        "fps": round(found.fps),
        "size": f"{found.width}x{found.height}",
        "width": found.width,
        "height": found.height,
        "aspect": aspect(found.width, found.height),
        "original": {
            "width": found.width,
            "height": found.height,
            "frame_rate": found.frame_rate,
            "duration": round(found.duration, 3),
            "bitrate": found.bitrate,
        },
        "small": {
            "width": small_width,
            "height": small_height,
            "size": f"{small_width}x{small_height}",
            "aspect": aspect(small_width, small_height),
        },
    }
    if found.has_audio:
        audio = found.audio
        meta["audio_encode"] = str(audio.get("codec_name") or "")
        meta["audio_bitrate"] = f"{audio.get('sample_rate') or 0} Hz"
        meta["audio_channels"] = str(
            audio.get("channel_layout") or ("stereo" if audio.get("channels") == 2 else "mono")
        )
    return meta


# Services -----------------------------------------------------------------------------------


def _stored_path(upload: UploadedFile, work: str) -> str:
    """A local path holding the upload (Django's temporary file when it has one)."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        return str(temporary())
    path = str(Path(work) / "upload")
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    upload.seek(0)
    return path


def media_video_create(
    *, account: Any, file: UploadedFile, description: str, focus: tuple[float, float]
) -> Any:
    """Check a video or animated GIF now (a bad file is refused and nothing is kept) and keep
    it as uploaded; the worker transcodes it (`tasks.process_video`), enqueued with the row.
    `description` is already cleaned by the caller."""
    from django.db import transaction

    from storefeed.posts import tasks
    from storefeed.posts.models import MediaAttachment, MediaState

    missing = ffmpeg_missing()
    if missing is not None:
        raise VideoUnavailable(missing)
    check_size(file)
    with tempfile.TemporaryDirectory(prefix="storefeed-upload-") as work:
        path = _stored_path(file, work)
        size = Path(path).stat().st_size
        if size > settings.MEDIA_MAX_VIDEO_BYTES:
            raise ValidationFailed(
                _("%(name)s is %(size)s MB; videos can be at most %(limit)s MB.")
                % {
                    "name": file.name or "video",
                    "size": _megabytes(size),
                    "limit": _megabytes(settings.MEDIA_MAX_VIDEO_BYTES),
                },
                field="file",
            )
        found = check_upload(file, path=path)
        suffix = {"gif": ".gif", "matroska,webm": ".webm"}.get(found.format_name, ".mp4")
        with open(path, "rb") as stored, transaction.atomic():
            media = MediaAttachment(
                account=account,
                description=description,
                content_type="video/mp4",
                kind=kind_of(found),
                state=MediaState.PROCESSING,
                width=found.width,
                height=found.height,
                focus_x=max(-1.0, min(1.0, float(focus[0]))),
                focus_y=max(-1.0, min(1.0, float(focus[1]))),
            )
            media.source.save(f"upload{suffix}", ContentFile(stored.read()), save=False)
            media.save()
            # Written with the row (the database queue): nothing is lost if the process dies.
            tasks.process_video.enqueue(media.pk)
    media.refresh_from_db()
    return media


def media_video_process(*, media_id: int) -> str:
    """Transcode an uploaded video (in the worker; idempotent: a video already processed or
    failed is left as it is). Returns the state it ends in."""
    from django.db import transaction

    from storefeed.core import events
    from storefeed.core.ids import new_version
    from storefeed.posts.models import MediaAttachment, MediaState, Status

    media = MediaAttachment.objects.filter(pk=media_id).first()
    if media is None or media.state != MediaState.PROCESSING or not media.source:
        return media.state if media is not None else "gone"
    with tempfile.TemporaryDirectory(prefix="storefeed-video-in-") as work:
        local = str(Path(work) / ("source" + Path(media.source.name or "").suffix))
        with media.source.open("rb") as stored, open(local, "wb") as out:
            shutil.copyfileobj(stored, out)
        try:
            done: Transcoded | None = transcode(local, kind=media.kind)
        except (ValueError, OSError, subprocess.SubprocessError, UnidentifiedImageError) as error:
            log.warning("video %s could not be transcoded: %s", media_id, error)
            done = None
        except VideoUnavailable:
            done = None
    # Not durable: the immediate task backend of the tests runs this inside the upload.
    with transaction.atomic():
        fresh = MediaAttachment.objects.select_for_update().filter(pk=media_id).first()
        if fresh is None or fresh.state != MediaState.PROCESSING:
            return fresh.state if fresh is not None else "gone"
        if done is None:
            fresh.state = MediaState.FAILED
            fresh.save(update_fields=["state"])
        else:
            fresh.file.save("video.mp4", done.video, save=False)
            fresh.thumbnail.save("small.jpg", done.poster, save=False)
            fresh.kind, fresh.width, fresh.height = done.kind, done.width, done.height
            fresh.blurhash, fresh.meta = done.blurhash, done.meta
            fresh.state = MediaState.READY
            fresh.save(
                update_fields=[
                    "file",
                    "thumbnail",
                    "kind",
                    "width",
                    "height",
                    "blurhash",
                    "meta",
                    "state",
                ]
            )
            if fresh.status_id is not None:  # a web post made while it processed shows it now
                Status.objects.filter(pk=fresh.status_id).update(version=new_version())
                events.publish("status.updated", id=fresh.status_id)
        source = fresh.source.name
        MediaAttachment.objects.filter(pk=media_id).update(source="")
    if source:
        fresh.source.storage.delete(source)
    return fresh.state


# A video still processing this long after its upload lost its task (a worker killed mid-run;
# a transcode takes at most TRANSCODE_SECONDS): the sweep queues it again.
STUCK_AFTER_SECONDS = 2 * TRANSCODE_SECONDS


def media_videos_requeue_stuck() -> int:
    """Queue the transcoding of videos stuck in processing again (`tasks.requeue_stuck_videos`,
    on the beat). Harmless if the first task still runs: the state check under a lock lets
    one of them finish. Returns how many were queued."""
    import datetime as dt

    from django.utils import timezone

    from storefeed.posts import tasks
    from storefeed.posts.models import MediaAttachment, MediaState

    cutoff = timezone.now() - dt.timedelta(seconds=STUCK_AFTER_SECONDS)
    stuck = list(
        MediaAttachment.objects.filter(state=MediaState.PROCESSING, created_at__lt=cutoff)
        .exclude(source="")
        .values_list("pk", flat=True)[:100]
    )
    for media_id in stuck:
        tasks.process_video.enqueue(media_id)
    return len(stuck)
