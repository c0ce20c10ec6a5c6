"""Search under load: seeds 200,000 posts and 100,000 products (plus 5,000 third-party items)
in a database of its own, then prints p50/p95 of typical searches through the HTTP APIs
(`GET /api/v2/search?type=statuses`, `GET /api/shop/v1/products/search`), in process with
Django's test client (token check, search, hydration, rendering, JSON; no network).

    .venv/bin/python bench/search.py                   # SQLite, then PostgreSQL
    .venv/bin/python bench/search.py --backend sqlite  # var/search_bench.sqlite3
    .venv/bin/python bench/search.py --backend postgresql  # database sf_search_bench

The databases are made and seeded on the first run (bulk inserts; a few minutes) and reused
after; --reseed starts them again. PostgreSQL on 127.0.0.1 only (STOREFEED_BENCH_PG_URL
overrides the server, still loopback only). Bounded: 30 timed runs per query.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTS = 200_000
PRODUCTS = 100_000
ITEMS = 5_000
ACCOUNTS = 2_000
SELLERS = 500
RUNS = 30

# Words people write about, most common first (a Zipf draw makes the first ones frequent).
ZH = (
    "今天 推荐 喜欢 真的 非常 口红 颜色 好看 新款 价格 质量 效果 皮肤 保湿 面膜 防晒 "
    "耳机 手机 电脑 咖啡 奶茶 火锅 旅行 酒店 衣服 裙子 鞋子 包包 香水 彩妆 粉底 眼影 "
    "唇膏 精华 面霜 洗面奶 护肤 美白 补水 控油 敏感 干皮 油皮 学生 平价 大牌 礼物 "
    "生日 朋友 周末 早餐 蛋糕 面包 牛奶 红茶 绿茶 乌龙 普洱 茶叶 零食 水果 芒果 "
    "草莓 蓝牙 降噪 续航 屏幕 相机 拍照 镜头 键盘 鼠标 充电 电池 游戏 音乐 电影 "
    "健身 跑步 瑜伽 运动 减肥 羽绒服 外套 毛衣 牛仔裤 连衣裙 围巾 帽子 北京 上海 "
    "成都 重庆 三亚 杭州 西湖 海边 雪山 攻略 机票 签证 猫粮 狗粮 宠物 猫咪 狗狗 "
    "哑光 丝绒 正红 豆沙 枫叶 色号 试色 显白 持妆 遮瑕 卸妆 眉笔 睫毛膏 指甲油 "
    "登机箱 行李箱 保温杯 咖啡机 烤箱 空气炸锅 扫地机 加湿器 台灯 收纳 香薰 蜡烛"
).split()
EN = (
    "the and new love best great price quality lipstick color matte gloss skin care "
    "serum cream mask sunscreen headphones wireless phone laptop coffee tea latte "
    "hotpot travel hotel dress shoes bag perfume makeup foundation eyeshadow review "
    "haul unboxing budget luxury gift birthday weekend breakfast cake bread milk oolong "
    "snack mango strawberry bluetooth battery screen camera lens keyboard mouse charger "
    "game music movie fitness running yoga workout jacket sweater jeans scarf beijing "
    "shanghai chengdu beach snow guide flight visa cat dog pet velvet nude blush "
    "mascara nail polish suitcase tumbler espresso oven airfryer vacuum humidifier "
    "lamp storage candle"
).split()

# (label, params) for each kind of query.
STATUS_QUERIES = [
    ("zh common 口红", {"q": "口红"}),
    ("zh phrase 哑光口红", {"q": "哑光口红"}),
    ("zh one char 茶", {"q": "茶"}),
    ("zh rare 扫地机", {"q": "扫地机"}),
    ("zh two words 保湿 面膜", {"q": "保湿 面膜"}),
    ("en common lipstick", {"q": "lipstick"}),
    ("en two words wireless headphones", {"q": "wireless headphones"}),
    ("en rare humidifier", {"q": "humidifier"}),
    ("mixed 口红 lipstick", {"q": "口红 lipstick"}),
    ("zh page 3 口红", {"q": "口红", "offset": "40"}),
    ("no match 量子计算", {"q": "量子计算"}),
]
PRODUCT_QUERIES = [
    ("zh relevance 口红", {"q": "口红"}),
    (
        "zh in stock, price range 口红",
        {"q": "口红", "in_stock": "true", "min_price": "50", "max_price": "200"},
    ),
    ("zh price_asc 耳机", {"q": "耳机", "sort": "price_asc"}),
    ("zh best_selling 面膜", {"q": "面膜", "sort": "best_selling"}),
    ("en newest lipstick", {"q": "lipstick", "sort": "newest"}),
    ("en field beauty serum", {"q": "serum", "field": "beauty"}),
    ("mixed 口红 lipstick price_desc", {"q": "口红 lipstick", "sort": "price_desc"}),
    ("zh rare 空气炸锅 in stock", {"q": "空气炸锅", "in_stock": "true"}),
    ("en seller filter tea", {"q": "tea", "seller": "seller7"}),
]


def zipf(rng: random.Random, words: list[str]) -> str:
    # Weight 1/(rank+1): the first words are common, the last rare.
    return rng.choices(words, weights=[1 / (n + 1) for n in range(len(words))])[0]


def sentence(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return "".join(zipf(rng, ZH) for _ in range(rng.randint(4, 12))) + rng.choice("，。！")
    return " ".join(zipf(rng, EN) for _ in range(rng.randint(5, 14))) + ". "


def text(rng: random.Random, sentences: tuple[int, int]) -> str:
    return "".join(sentence(rng) for _ in range(rng.randint(*sentences)))


def seed() -> None:
    from django.db import connection, transaction
    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application, set_token_value

    from storefeed.accounts.models import ExpertField, User
    from storefeed.catalog.models import ExternalItem, Product
    from storefeed.catalog.search import item_index, product_index, sold_refresh
    from storefeed.core.ids import new_id
    from storefeed.posts.models import Status
    from storefeed.posts.search import status_index
    from storefeed.sellers.models import Seller, SellerApplication
    from storefeed.social.models import Block, Follow, Mute

    rng = random.Random(12)
    started = time.perf_counter()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"user{n}", password="!") for n in range(ACCOUNTS)], batch_size=1000
        )
        sellers = users[:SELLERS]
        for n, u in enumerate(sellers):
            u.username = f"seller{n}"
        User.objects.bulk_update(sellers, ["username"], batch_size=1000)
        viewer = User.objects.create(username="benchviewer", password="!")
        fields = list(ExpertField.objects.all())
        now = timezone.now()
        apps = SellerApplication.objects.bulk_create(
            [
                SellerApplication(
                    account=u,
                    shop_name=f"shop {n}",
                    field=fields[n % len(fields)],
                    sells="things",
                    contact_phone="13800138000",
                    real_name="Bench",
                    id_number="1",
                    agreed_at=now,
                    state="approved",
                )
                for n, u in enumerate(sellers)
            ]
        )
        Seller.objects.bulk_create(
            [
                Seller(
                    account=a.account,
                    application=a,
                    shop_name=a.shop_name,
                    field=a.field,
                    state="suspended" if n % 20 == 19 else "active",
                    state_changed_at=now,
                )
                for n, a in enumerate(apps)
            ]
        )
        others = users[SELLERS:]
        Follow.objects.bulk_create(
            [Follow(follower=viewer, target=u) for u in rng.sample(users, 300)]
        )
        hidden = rng.sample(others, 10)
        Block.objects.bulk_create([Block(account=viewer, target=u) for u in hidden[:5]])
        Mute.objects.bulk_create([Mute(account=viewer, target=u) for u in hidden[5:]])
        app = Application.objects.create(
            name="bench",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris="urn:ietf:wg:oauth:2.0:oob",
        )
        token = AccessToken(
            user=viewer,
            application=app,
            scope="read write",
            expires=now + timezone.timedelta(days=3650),
        )
        set_token_value(token, "search-bench-token")  # stored as its checksum, as the API's
        token.save()
    print(f"  accounts, sellers, follows: {time.perf_counter() - started:.1f} s", flush=True)

    visibilities = ["public"] * 85 + ["unlisted"] * 5 + ["private"] * 7 + ["direct"] * 3
    for start in range(0, POSTS, 5000):
        statuses = []
        for _ in range(5000):
            body = text(rng, (1, 3))
            statuses.append(
                Status(
                    id=new_id(),
                    account=rng.choice(users),
                    text=body,
                    content=f"<p>{body}</p>",
                    visibility=rng.choice(visibilities),
                )
            )
        with transaction.atomic():
            Status.objects.bulk_create(statuses, batch_size=1000)
            status_index([s.id for s in statuses])
        if (start + 5000) % 50_000 == 0:
            print(f"  {start + 5000} posts: {time.perf_counter() - started:.1f} s", flush=True)

    for _batch in range(0, PRODUCTS, 5000):
        products = []
        for _ in range(5000):
            stock = rng.choice([0, 0, 3, 10, 50, 200])
            products.append(
                Product(
                    id=new_id(),
                    seller=rng.choice(sellers),
                    title=text(rng, (1, 1))[:120],
                    description=text(rng, (1, 3))[:5000],
                    price_fen=rng.randint(990, 99_900),
                    stock=stock,
                    stock_added=stock + rng.randint(0, 500),
                    status="withdrawn" if rng.random() < 0.1 else "on_sale",
                )
            )
        with transaction.atomic():
            Product.objects.bulk_create(products, batch_size=1000)
            product_index([p.id for p in products])
    print(f"  {PRODUCTS} products: {time.perf_counter() - started:.1f} s", flush=True)
    items = [
        ExternalItem(
            id=new_id(),
            source="taobao",
            item_id=str(n),
            url=f"https://item.taobao.com/item.htm?id={n}",
            title=text(rng, (1, 1))[:200],
            description=text(rng, (1, 2)),
            price_fen=rng.randint(990, 99_900),
            availability=rng.choice(["in_stock", "out_of_stock", "unknown"]),
        )
        for n in range(ITEMS)
    ]
    with transaction.atomic():
        ExternalItem.objects.bulk_create(items, batch_size=1000)
        item_index([i.id for i in items])
    sold_refresh()  # the worker's periodic count of units sold, for best-selling
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)


def measure(label: str, path: str, queries: list[tuple[str, dict[str, str]]]) -> list[float]:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION="Bearer search-bench-token")
    every: list[float] = []
    print(f"  {label}")
    for name, params in queries:
        response = client.get(path, params)
        assert response.status_code == 200, (name, response.content[:300])
        body = response.json()
        count = len(body["statuses"]) if "statuses" in body else body["total"]
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        every.extend(times)
        p95 = times[int(len(times) * 0.95) - 1]
        found = f"{count} hits" if "statuses" in body else f"total {count}"
        print(
            f"    {name:<40} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  ({found})"
        )
    return every


def run_one(backend: str, reseed: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from storefeed.posts.models import Status

    if reseed or not connection.introspection.table_names() or not Status.objects.exists():
        call_command("migrate", verbosity=0)
        if Status.objects.exists():
            sys.exit(f"{backend}: the bench database has data; use --reseed to start it again")
        print(f"{backend}: seeding {POSTS} posts, {PRODUCTS} products, {ITEMS} items", flush=True)
        seed()
    print(f"{backend} ({connection.vendor}, {Status.objects.count()} posts)")
    statuses = measure(
        "GET /api/v2/search?type=statuses",
        "/api/v2/search",
        [(n, {**p, "type": "statuses"}) for n, p in STATUS_QUERIES],
    )
    products = measure(
        "GET /api/shop/v1/products/search", "/api/shop/v1/products/search", PRODUCT_QUERIES
    )
    for label, times in (("posts", statuses), ("products", products), ("all", statuses + products)):
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"  {backend} {label:<9} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  ({len(times)} requests)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--pg-database",
        default="sf_search_bench",
        help="PostgreSQL database (default: %(default)s)",
    )
    args = parser.parse_args()
    database = args.pg_database
    if not database.replace("_", "").isalnum() or not database.isascii():
        parser.error("--pg-database: letters, digits and underscores only")
    pg_server = os.environ.get("STOREFEED_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    if not pg_server.split("@")[-1].startswith(("127.0.0.1", "localhost", "[::1]")):
        parser.error("PostgreSQL on a loopback address only")
    urls = {
        "sqlite": f"sqlite:///{ROOT / 'var' / 'search_bench.sqlite3'}",
        "postgresql": f"{pg_server}/{database}",
    }
    if args.backend != "both":
        if args.reseed:
            if args.backend == "sqlite":
                (ROOT / "var" / "search_bench.sqlite3").unlink(missing_ok=True)
            else:
                subprocess.run(
                    [
                        "dropdb",
                        "--if-exists",
                        "-h",
                        "127.0.0.1",
                        "-U",
                        "postgres",
                        database,
                    ],
                    check=True,
                )
        if args.backend == "postgresql":
            exists = subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-tAc",
                    f"SELECT 1 FROM pg_database WHERE datname = '{database}'",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            if not exists:
                subprocess.run(
                    ["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True
                )
        os.environ["STOREFEED_DATABASE_URL"] = urls[args.backend]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
        os.environ["STOREFEED_ALLOWED_HOSTS"] = "testserver"
        os.environ["STOREFEED_API_RATE_LIMIT"] = "1000000"
        (ROOT / "var").mkdir(exist_ok=True)
        run_one(args.backend, args.reseed)
        return
    for backend in ("sqlite", "postgresql"):
        command = [sys.executable, __file__, "--backend", backend, "--pg-database", database] + (
            ["--reseed"] if args.reseed else []
        )
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
