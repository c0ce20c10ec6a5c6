import pytest

from tests.posts.conftest import image_file


@pytest.fixture
def make_image():
    return image_file
