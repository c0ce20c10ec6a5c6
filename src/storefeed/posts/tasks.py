"""Background tasks of posts: thin, idempotent wrappers around the services."""

from django.tasks import task

from storefeed.posts import services, video


@task()
def publish_scheduled(scheduled_id: int) -> None:
    services.scheduled_status_publish(scheduled_id=scheduled_id)


@task()
def publish_due_scheduled() -> None:
    services.scheduled_statuses_publish_due()


@task()
def sweep_unattached_media() -> None:
    services.media_sweep_unattached()


@task()
def refresh_site_stats() -> None:
    services.site_stats_refresh()


@task()
def notify_status_update(status_id: int) -> None:
    services.status_update_notify(status_id=status_id)


@task()
def process_video(media_id: int) -> None:
    video.media_video_process(media_id=media_id)


@task()
def requeue_stuck_videos() -> None:
    video.media_videos_requeue_stuck()
