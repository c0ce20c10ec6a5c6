from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "storefeed.posts"
    label = "posts"
