"""What the demo's shops are made of: sellers, products, product posts, buyers and orders.

Plain data, read by commerce.py (only when commerce is switched on). Prices are what a
customer types ("189.00", CNY); the services turn them into fen.
"""

from dataclasses import dataclass

from storefeed.demo.data import SHADES

RGB = tuple[int, int, int]

# The demo fan's payment PIN (DEMO_LOGINS tells it).
DEMO_PIN = "123456"
# Other buyers' PINs: nobody signs in as them to pay, but a PIN is how Storefeed Pay pays.
BUYER_PIN = "246810"


@dataclass(frozen=True)
class Application:
    username: str
    shop_name: str
    field: str  # an ExpertField slug
    sells: str
    contact_phone: str
    real_name: str
    id_number: str  # made up, well-formed; staff see it, everyone else sees it masked
    approve: bool  # approved by staff, or left pending for staff to review


@dataclass(frozen=True)
class ProductSpec:
    key: str  # stable name for posts, orders and carts to point at
    seller: str
    title: str
    description: str
    price: str = ""  # without variants
    stock: int = 0  # without variants
    # (name, price, stock) per variant; then the product's own price and stock are unused
    variants: tuple[tuple[str, str, int], ...] = ()
    # (scene, caption, subject colour) per picture; see images.SCENES
    pictures: tuple[tuple[str, str, RGB | None], ...] = ()


@dataclass(frozen=True)
class ThirdPartyItem:
    """Entered by hand (catalog.services.external_item_manual): the demo never fetches."""

    key: str
    seller: str  # who enters it
    url: str
    title: str
    price: str
    picture: tuple[str, str, RGB | None]


@dataclass(frozen=True)
class ProductPost:
    key: str
    author: str
    text: str
    products: tuple[str, ...]  # ProductSpec keys, in card order
    items: tuple[str, ...] = ()  # ThirdPartyItem keys, after the products
    language: str = "en"
    reposted_by: tuple[str, ...] = ()
    likes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Buyer:
    username: str
    topup: str  # through the simulated bank
    pin: str
    recipient: str
    phone: str
    region: str
    city: str
    street: str
    postcode: str


@dataclass(frozen=True)
class OrderPlan:
    """An order and how far along its life it goes: "paid" (the seller has it to ship),
    "shipped", or "completed" (delivered, confirmed, and the seller paid)."""

    buyer: str
    post: str  # the product post the buyer bought from (per-post sales)
    lines: tuple[tuple[str, str | None, int], ...]  # (product key, variant name, quantity)
    goal: str
    carrier: str = ""
    tracking_number: str = ""


@dataclass(frozen=True)
class CartPlan:
    buyer: str
    post: str
    product: str
    variant: str | None = None
    quantity: int = 1


APPLICATIONS: tuple[Application, ...] = (
    Application(
        "lily",
        "Lily's Lipstick Lab 莉莉的口红实验室",
        "beauty",
        "Lipsticks in every shade I swatch, and the skincare I actually finish. "
        "口红全色号和我自己用完的护肤品。",
        "138 0013 8001",
        "李莉",
        "11010519920315452X",
        approve=True,
    ),
    Application(
        "anna_style",
        "Anna Capsule 安娜的衣橱",
        "fashion",
        "Capsule-wardrobe pieces: silk dresses, coats, bags and sneakers. 胶囊衣橱单品。",
        "139 1234 5678",
        "安娜",
        "310101199106223348",
        approve=True,
    ),
    # Waiting in the staff review queue (sign in as admin).
    Application(
        "foodie_wang",
        "王小吃的调料铺 Wang's Pantry",
        "food",
        "我家自己炒的红油辣子、花椒和手工面。Homemade Sichuan chilli oil and noodles.",
        "137 2888 6600",
        "王川",
        "510104198805127713",
        approve=False,
    ),
)

# The nine lipsticks of lily's swatch day, one product per shade. #01 is a limited run that
# the buyers below sell out; #09 has only a few left.
_LIPSTICK_STOCK = {"#01": 2, "#09": 3}
LIPSTICKS: tuple[ProductSpec, ...] = tuple(
    ProductSpec(
        key=f"velvet{code[1:]}",
        seller="lily",
        title=f"Velvet Matte Lipstick {code} {name}",
        description=(
            f"Velvet Matte {code} {name}: a soft-matte finish that does not dry the lips. "
            "3.5 g. Swatched on swatch day, natural light. 丝绒哑光口红，不拔干。"
        ),
        price="189.00",
        stock=_LIPSTICK_STOCK.get(code, 30 + 9 * index),
        pictures=(("lipstick", f"Velvet Matte {code} {name}", colour),),
    )
    for index, (name, code, colour) in enumerate(SHADES)
)

CAMEL: RGB = (193, 154, 107)
BLACK: RGB = (40, 40, 46)

PRODUCTS: tuple[ProductSpec, ...] = (
    *LIPSTICKS,
    ProductSpec(
        "b5_serum",
        "lily",
        "B5 Hydrating Serum 30 ml 烟酰胺精华",
        "Niacinamide 5% and hyaluronic acid, fragrance-free. @sakura_skin checked the INCI list. "
        "烟酰胺5%+透明质酸，无香精。",
        price="269.00",
        stock=85,
        pictures=(("serum", "B5 Serum 精华 30 ml", None),),
    ),
    ProductSpec(
        "sunscreen",
        "lily",
        "Daily Sunscreen SPF50 PA++++ 清爽防晒",
        "Light, no white cast, fine under make-up. 50 ml. 清爽不泛白，可叠妆。",
        price="168.00",
        stock=120,
        pictures=(("serum", "Sunscreen 防晒 SPF50", (250, 196, 60)),),
    ),
    ProductSpec(
        "cleansing_balm",
        "lily",
        "Rose Cleansing Balm 玫瑰卸妆膏",
        "Melts long-wear lipstick in one go, rinses clean. 100 g. 一抹化开，好冲洗。",
        price="139.00",
        stock=60,
        pictures=(("serum", "Cleansing balm 卸妆膏", (214, 84, 118)),),
    ),
    ProductSpec(
        "silk_dress",
        "anna_style",
        "Silk Wrap Midi Dress 真丝裹身连衣裙",
        "100% mulberry silk, wrap front, midi length. Hand wash cold. 桑蚕丝，中长款。",
        variants=(
            ("Camel / S", "899.00", 8),
            ("Camel / M", "899.00", 12),
            ("Camel / L", "899.00", 6),
            ("Black / S", "899.00", 10),
            ("Black / M", "899.00", 14),
            ("Black / L", "929.00", 0),
        ),
        pictures=(
            ("dress", "Silk wrap dress 驼色 Camel", CAMEL),
            ("dress", "Silk wrap dress 黑色 Black", BLACK),
        ),
    ),
    ProductSpec(
        "trench",
        "anna_style",
        "Classic Trench Coat 经典风衣",
        "Water-repellent cotton gabardine, double-breasted, belted. 防泼水棉质风衣。",
        price="1599.00",
        stock=25,
        pictures=(("dress", "Trench coat 风衣", (176, 140, 96)),),
    ),
    ProductSpec(
        "tote",
        "anna_style",
        "Everyday Leather Tote 通勤托特包",
        "Fits a 14-inch laptop, looks good at dinner. Full-grain leather. 可放14寸电脑。",
        price="1280.00",
        stock=18,
        pictures=(("handbag", "Everyday tote 通勤包", CAMEL),),
    ),
    ProductSpec(
        "sneakers",
        "anna_style",
        "White Leather Sneakers 小白鞋",
        "Clean white leather, cushioned insole, goes with everything. 百搭小白鞋。",
        price="599.00",
        stock=40,
        pictures=(("sneakers", "White sneakers 小白鞋", (236, 236, 236)),),
    ),
)

ITEMS: tuple[ThirdPartyItem, ...] = (
    ThirdPartyItem(
        "tmall_masks",
        "lily",
        "https://detail.tmall.com/item.htm?id=520813250866",
        "Hyaluronic Sheet Masks × 10 玻尿酸补水面膜 (Tmall flagship store 天猫旗舰店)",
        "99.00",
        ("serum", "Sheet masks 面膜 ×10", (150, 200, 230)),
    ),
)

PRODUCT_POSTS: tuple[ProductPost, ...] = (
    ProductPost(
        "lily_velvet_shop",
        "lily",
        "All nine Velvet Matte shades from swatch day are in my shop now, ¥189 each. "
        "#01 Cherry is a limited run and #09 Ruby is almost gone! "
        "九个色号全部上架，樱桃红限量。#美妆# #口红",
        products=tuple(spec.key for spec in LIPSTICKS),
        reposted_by=("jenny_h",),
        likes=("jenny_h", "weiwei", "demo", "olivia_m"),
    ),
    ProductPost(
        "lily_skincare_shop",
        "lily",
        "My everyday skincare: the three things I actually finish, plus the sheet masks I "
        "rebuy on Tmall. 护肤三件套，加上我在天猫回购的面膜。#美妆# #护肤",
        products=("b5_serum", "sunscreen", "cleansing_balm"),
        items=("tmall_masks",),
        likes=("sakura_skin", "weiwei", "grace_w"),
    ),
    ProductPost(
        "anna_capsule_shop",
        "anna_style",
        "Capsule wardrobe, the shop edition: the silk wrap dress in camel and black (S to L), "
        "the trench, the tote and the white sneakers. Every piece goes with three others. "
        "胶囊衣橱上架 #OOTD #时尚#",
        products=("silk_dress", "trench", "tote", "sneakers"),
        likes=("olivia_m", "sara_k", "demo"),
    ),
)

BUYERS: tuple[Buyer, ...] = (
    Buyer(
        "demo",
        "2000.00",
        DEMO_PIN,
        "小明 Ming",
        "138 0013 8000",
        "上海市 Shanghai",
        "上海 Shanghai",
        "徐汇区漕溪北路 88 号 12 楼 / 12F, 88 Caoxi North Road, Xuhui",
        "200030",
    ),
    Buyer(
        "weiwei",
        "500.00",
        BUYER_PIN,
        "薇薇",
        "139 0571 2233",
        "浙江省",
        "杭州",
        "西湖区文三路 478 号 浙大玉泉校区 6 舍",
        "310027",
    ),
    Buyer(
        "jenny_h",
        "800.00",
        BUYER_PIN,
        "Jenny He",
        "136 0101 4455",
        "北京市 Beijing",
        "北京 Beijing",
        "朝阳区建国路 93 号 万达广场 8 号楼 1203",
        "100022",
    ),
    Buyer(
        "olivia_m",
        "3000.00",
        BUYER_PIN,
        "Olivia Ma",
        "135 2020 7788",
        "广东省 Guangdong",
        "深圳 Shenzhen",
        "南山区科技园南区 深南大道 9988 号",
        "518057",
    ),
)

ORDERS: tuple[OrderPlan, ...] = (
    # The demo fan's: one on its way, one delivered and completed.
    OrderPlan(
        "demo",
        "lily_velvet_shop",
        (("velvet08", None, 1),),
        goal="shipped",
        carrier="SF Express 顺丰速运",
        tracking_number="SF1402283346512",
    ),
    OrderPlan(
        "demo",
        "anna_capsule_shop",
        (("silk_dress", "Camel / M", 1),),
        goal="completed",
        carrier="ZTO Express 中通快递",
        tracking_number="ZT75312846690",
    ),
    # Paid orders the sellers have to ship; the two Cherry lipsticks sell it out.
    OrderPlan("weiwei", "lily_velvet_shop", (("velvet01", None, 1),), goal="paid"),
    OrderPlan("jenny_h", "lily_velvet_shop", (("velvet01", None, 1),), goal="paid"),
    OrderPlan("jenny_h", "lily_skincare_shop", (("b5_serum", None, 1),), goal="paid"),
    OrderPlan(
        "olivia_m",
        "anna_capsule_shop",
        (("trench", None, 1), ("silk_dress", "Black / S", 1)),
        goal="paid",
    ),
)

CARTS: tuple[CartPlan, ...] = (CartPlan("demo", "lily_skincare_shop", "sunscreen"),)
