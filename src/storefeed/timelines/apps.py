from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "storefeed.timelines"
    label = "timelines"
