"""Demo data: a believable small network built through the services (`storefeed demo`)."""

from storefeed.demo.data import PEOPLE, STAFF

_PASSWORDS = {p.username: p.password for p in (*PEOPLE, STAFF)}

# (username, password, what to try with it); the `serve` command prints these.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    (
        "demo",
        _PASSWORDS["demo"],
        "A fan who follows experts and friends: a full home timeline. 粉丝，首页最热闹",
    ),
    (
        "lily",
        _PASSWORDS["lily"],
        "Beauty expert with 1,200+ followers and a pinned post. 美妆达人，1200+粉丝",
    ),
    (
        "xiaoyu",
        _PASSWORDS["xiaoyu"],
        "A locked account with follow requests to approve. 私密账号，有待处理的关注请求",
    ),
    (
        "admin",
        _PASSWORDS["admin"],
        "Staff: verifies experts, Django admin at /admin/. 运营，可进入后台",
    ),
]
