"""What the demo network is made of: people, who follows whom, and what they post.

Plain data, read by builder.py. Posts are listed oldest first; reposts are listed where they
happen, so the home timeline interleaves them with posts as it would in life.
"""

from dataclasses import dataclass, field

RGB = tuple[int, int, int]

# Named accounts other than the three sign-ins share this password (not printed: the
# sign-ins in storefeed.demo.DEMO_LOGINS are what people use).
SHARED_PASSWORD = "storefeed-demo-2015"


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    note: str
    initials: str  # drawn on the avatar
    palette: str  # see images.PALETTES
    expert: str | None = None  # an ExpertField slug
    locked: bool = False
    password: str = SHARED_PASSWORD


@dataclass(frozen=True)
class Post:
    key: str  # stable name for replies, quotes and reposts to point at
    author: str
    text: str
    language: str = "en"
    # (scene, caption) per image; see images.SCENES
    images: tuple[tuple[str, str], ...] = ()
    colours: tuple[RGB | None, ...] = ()  # the subject's colour per image, where it matters
    visibility: str = "public"
    spoiler_text: str = ""
    reply_to: str | None = None
    quote_of: str | None = None
    poll: tuple[str, ...] = ()
    likes: tuple[str, ...] = ()
    fan_likes: int = 0  # how many of the silent fans like it too
    bookmarks: tuple[str, ...] = ()
    pinned: bool = False


@dataclass(frozen=True)
class Repost:
    who: str
    key: str


@dataclass(frozen=True)
class FanFollow:
    """Which of the silent fans follow an expert: fan number `i` (0-based) follows when
    `i % modulo in remainders`."""

    target: str
    modulo: int
    remainders: frozenset[int] = field(default_factory=lambda: frozenset({0}))


STAFF = Person(
    username="admin",
    display_name="Storefeed 运营 Staff",
    note="Storefeed staff. We verify experts and keep the shop windows honest.\n官方运营账号。",
    initials="S",
    palette="slate",
    password="staff-only-2015",
)

PEOPLE: tuple[Person, ...] = (
    # The sign-in for trying the app as a fan: follows experts and friends.
    Person(
        "demo",
        "小明 Ming (demo)",
        "Just here for lipstick swatches and noodle reviews. 随便逛逛，看到好物就收藏。",
        "明",
        "sky",
        password="weibo-shopping",
    ),
    # Experts.
    Person(
        "lily",
        "Lily 莉莉",
        "Beauty editor turned creator, lipstick hoarder. 每周二上新试色 | 合作请私信",
        "莉",
        "rose",
        expert="beauty",
        password="red-lipstick-88",
    ),
    Person(
        "anna_style",
        "Anna 安娜",
        "Street style & capsule wardrobes. 上海 / Paris. #OOTD every morning.",
        "A",
        "peach",
        expert="fashion",
    ),
    Person(
        "sakura_skin",
        "小樱 Sakura",
        "Skincare chemist. 成分党，不吹不黑。Ingredients over hype.",
        "樱",
        "lilac",
        expert="beauty",
    ),
    Person(
        "chen_tech",
        "陈科技",
        "手机、耳机、笔记本，只说真话的测评。Honest gadget reviews since 2009.",
        "陈",
        "sky",
        expert="tech",
    ),
    Person(
        "jun_gadgets",
        "Jun 俊",
        "Cameras, keyboards and desk setups. 摄影器材党。",
        "俊",
        "night",
        expert="tech",
    ),
    Person(
        "foodie_wang",
        "王小吃 Foodie Wang",
        "成都长大的吃货。Noodles are a personality. 只推荐自己回购的店。",
        "王",
        "peach",
        expert="food",
    ),
    Person(
        "tea_master_lin",
        "林师傅的茶",
        "福建茶农第三代。Oolong, white tea, and the stories behind them.",
        "林",
        "mint",
        expert="food",
    ),
    Person(
        "travel_leo",
        "Leo 在路上",
        "40 countries, one backpack. 海岛、雪山和夜车。",
        "L",
        "sky",
        expert="travel",
    ),
    Person(
        "fit_mei",
        "美美练起来 Mei",
        "Certified trainer. 15-minute workouts for busy people. 每天练一点。",
        "美",
        "lemon",
        expert="fitness",
    ),
    Person(
        "mama_zhou",
        "周妈妈",
        "两个孩子的妈，分享靠谱的母婴好物。Tested by two toddlers.",
        "周",
        "mint",
        expert="parenting",
    ),
    # Friends and fans with names.
    Person(
        "tom_li", "Tom Li", "Software engineer in Shenzhen. Sneakers > everything.", "T", "lemon"
    ),
    Person("sara_k", "Sara", "Always planning the next trip. 下一站去哪？", "S", "sky"),
    Person("weiwei", "薇薇", "学生党，平价好物爱好者。Budget beauty only.", "薇", "rose"),
    Person("kai_chen", "Kai 凯", "Gym, coffee, repeat. 健身三年。", "K", "night"),
    Person(
        "jenny_h", "Jenny 珍妮", "Makeup newbie learning from the best. 化妆小白。", "J", "peach"
    ),
    Person("zhang_san", "张三", "普通上班族，下班爱做饭。Home cook.", "张", "sand"),
    Person(
        "ming_photo",
        "阿明拍照",
        "Film photography, mostly Shanghai at night. 胶片党。",
        "阿",
        "night",
    ),
    Person("grace_w", "Grace Wu", "Mum of one, coffee addict, reads everything.", "G", "mint"),
    Person("haoran", "浩然", "数码爱好者，等新机中。Waiting for the next phone.", "浩", "slate"),
    Person("olivia_m", "Olivia", "Designer. Colour nerd. 色彩控。", "O", "lilac"),
    Person("lucas_b", "Lucas", "Foodie from Lyon living in Beijing. 我爱饺子。", "L", "sand"),
    Person("yan_yan", "燕燕", "旅行和美食，周末就出发。", "燕", "peach"),
    Person(
        "xiaoyu",
        "小雨的日记",
        "Friends only. 只给朋友看，关注请先打招呼。",
        "雨",
        "lilac",
        locked=True,
        password="quiet-rain-2015",
    ),
)

# Who follows whom, through the follow service (so the targets are notified).
FOLLOWS: dict[str, tuple[str, ...]] = {
    "demo": (
        "lily",
        "anna_style",
        "sakura_skin",
        "chen_tech",
        "jun_gadgets",
        "foodie_wang",
        "tea_master_lin",
        "travel_leo",
        "fit_mei",
        "tom_li",
        "sara_k",
        "weiwei",
        "kai_chen",
        "jenny_h",
        "ming_photo",
        "lucas_b",
    ),
    "lily": ("sakura_skin", "anna_style", "jenny_h", "demo"),
    "anna_style": ("lily", "travel_leo", "olivia_m"),
    "sakura_skin": ("lily", "mama_zhou"),
    "chen_tech": ("jun_gadgets", "haoran"),
    "jun_gadgets": ("chen_tech", "ming_photo"),
    "foodie_wang": ("tea_master_lin", "lucas_b", "zhang_san"),
    "tea_master_lin": ("foodie_wang",),
    "travel_leo": ("foodie_wang", "sara_k", "ming_photo"),
    "fit_mei": ("lily", "kai_chen"),
    "mama_zhou": ("grace_w", "sakura_skin"),
    "tom_li": ("chen_tech", "jun_gadgets", "foodie_wang", "kai_chen", "demo", "anna_style"),
    "sara_k": ("travel_leo", "anna_style", "lily", "demo", "yan_yan"),
    "weiwei": ("lily", "sakura_skin", "jenny_h", "demo", "anna_style"),
    "kai_chen": ("fit_mei", "foodie_wang", "demo", "tom_li"),
    "jenny_h": ("lily", "sakura_skin", "weiwei", "demo"),
    "zhang_san": ("foodie_wang", "tea_master_lin", "mama_zhou"),
    "ming_photo": ("jun_gadgets", "travel_leo", "demo"),
    "grace_w": ("mama_zhou", "tea_master_lin", "lily"),
    "haoran": ("chen_tech", "jun_gadgets"),
    "olivia_m": ("anna_style", "lily", "sakura_skin"),
    "lucas_b": ("foodie_wang", "travel_leo", "demo"),
    "yan_yan": ("travel_leo", "foodie_wang", "sara_k"),
}

# Follow requests to the locked account: (who, approved?). One stays pending.
# The fields each person picked after signing up (who to follow starts from them).
INTERESTS: dict[str, tuple[str, ...]] = {
    "demo": ("beauty", "food", "tech"),
    "sara_k": ("travel", "food"),
    "weiwei": ("beauty", "fashion"),
    "kai_chen": ("fitness", "food"),
    "zhang_san": ("food", "home"),
    "ming_photo": ("travel", "tech"),
    "grace_w": ("parenting", "books"),
    "haoran": ("tech", "games"),
    "olivia_m": ("fashion", "beauty"),
    "lucas_b": ("food", "travel"),
    "yan_yan": ("travel", "food"),
    "xiaoyu": ("beauty", "books"),
}

FOLLOW_REQUESTS: tuple[tuple[str, str, bool], ...] = (
    ("weiwei", "xiaoyu", True),
    ("sara_k", "xiaoyu", True),
    ("demo", "xiaoyu", False),
    ("tom_li", "xiaoyu", False),
)

FAN_COUNT = 1200
FAN_FOLLOWS: tuple[FanFollow, ...] = (
    FanFollow("lily", 1),  # every fan
    FanFollow("anna_style", 7, frozenset(range(7)) - {3}),  # 6 in 7
    FanFollow("chen_tech", 2, frozenset({1})),
    # 7 in 8: over the seller program's threshold, so foodie_wang can apply (and does: the
    # application waits in the staff review queue).
    FanFollow("foodie_wang", 8, frozenset(range(8)) - {5}),
    FanFollow("sakura_skin", 3),
    FanFollow("travel_leo", 5),
    FanFollow("fit_mei", 6),
    FanFollow("jun_gadgets", 8),
    FanFollow("mama_zhou", 10),
    FanFollow("tea_master_lin", 12),
)

# Fans' display names: a given name and a playful suffix, half Chinese, half English.
FAN_GIVEN_ZH = (
    "小红", "阿杰", "思思", "佳佳", "大伟", "晓晓", "丽丽", "明明", "婷婷", "阿强",
    "欢欢", "文文", "乐乐", "楠楠", "阳阳", "萌萌",
)  # fmt: skip
FAN_SUFFIX_ZH = ("爱口红", "想变美", "吃不胖", "在路上", "的小店", "今天也要买", "不剁手", "种草中")
FAN_GIVEN_EN = (
    "Amy", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Hannah", "Ivy", "Jack", "Kelly",
    "Leo", "Mia", "Nina", "Oscar", "Ruby", "Sam",
)  # fmt: skip
FAN_SUFFIX_EN = ("Shops", "in Shanghai", "Loves Tea", "🍜", "💄", "on the go", "Reviews", "B.")


def fan_username(index: int) -> str:
    return f"fan{index + 1:04d}"


def fan_display_name(index: int) -> str:
    if index % 2 == 0:
        given = FAN_GIVEN_ZH[(index // 2) % len(FAN_GIVEN_ZH)]
        return given + FAN_SUFFIX_ZH[(index // 32) % len(FAN_SUFFIX_ZH)]
    given = FAN_GIVEN_EN[(index // 2) % len(FAN_GIVEN_EN)]
    return f"{given} {FAN_SUFFIX_EN[(index // 32) % len(FAN_SUFFIX_EN)]}"


SHADES: tuple[tuple[str, str, RGB], ...] = (
    ("Cherry 樱桃红", "#01", (200, 16, 46)), ("Brick 砖红", "#02", (165, 58, 40)),
    ("Rose 玫瑰", "#03", (214, 84, 118)), ("Nude 裸色", "#04", (205, 142, 120)),
    ("Coral 珊瑚", "#05", (246, 104, 84)), ("Berry 浆果", "#06", (142, 28, 78)),
    ("Plum 梅子", "#07", (104, 30, 70)), ("Mauve 豆沙", "#08", (168, 98, 108)),
    ("Ruby 宝石红", "#09", (170, 0, 36)),
)  # fmt: skip
CORAL = SHADES[4][2]

TIMELINE: tuple[Post | Repost, ...] = (
    Post(
        "lily_hello",
        "lily",
        "Hi everyone, I'm Lily! Ten years of testing lipsticks so you don't have to. "
        "Tuesdays are swatch day 💄 #美妆#",
        likes=("jenny_h", "weiwei", "demo"),
        fan_likes=12,
    ),
    Post(
        "chen_phone_review",
        "chen_tech",
        "用了两周的新旗舰，结论：屏幕和续航是真的好，相机夜景一般。完整测评见 "
        "https://example.com/reviews/phone-x #科技# #数码",
        language="zh",
        images=(
            ("phone", "旗舰手机 Flagship X ¥4,999"),
            ("phone", "夜景样张 Night mode"),
            ("headphones", "附赠耳机 Bundled earbuds"),
        ),
        likes=("haoran", "tom_li", "jun_gadgets", "demo"),
        fan_likes=8,
        bookmarks=("demo", "haoran"),
    ),
    Post(
        "haoran_q",
        "haoran",
        "@chen_tech 夜景和上一代比怎么样？值得换吗？",
        language="zh",
        reply_to="chen_phone_review",
    ),
    Post(
        "chen_a",
        "chen_tech",
        "@haoran 如果你是上一代用户，不建议换，差距不大；三年前的机器就值得。",
        language="zh",
        reply_to="haoran_q",
        likes=("haoran",),
    ),
    Post(
        "foodie_noodles",
        "foodie_wang",
        "成都最好吃的担担面，没有之一！麻、辣、香，面条筋道。人均 18 元。#美食# #成都",
        language="zh",
        images=(
            ("noodles", "担担面 Dan Dan Noodles ¥18"),
            ("noodles", "红油 Chilli oil"),
            ("dumplings", "钟水饺 Zhong dumplings ¥12"),
            ("tea", "盖碗茶 Gaiwan tea"),
        ),
        likes=("lucas_b", "zhang_san", "yan_yan", "demo", "tea_master_lin"),
        fan_likes=15,
    ),
    Post(
        "lucas_reply",
        "lucas_b",
        "@foodie_wang I went there last week because of you. Worth the 40-minute queue!",
        reply_to="foodie_noodles",
        likes=("foodie_wang",),
    ),
    Repost("demo", "foodie_noodles"),
    Post(
        "anna_ootd_1",
        "anna_style",
        "Monday #OOTD: camel coat, white sneakers, one good bag. Capsule wardrobe rule: "
        "every piece goes with three others. 周一通勤穿搭。",
        images=(
            ("dress", "Silk midi dress 真丝连衣裙 ¥899"),
            ("sneakers", "White sneakers 小白鞋 ¥599"),
            ("handbag", "Tote 托特包 ¥1,280"),
        ),
        likes=("olivia_m", "sara_k", "weiwei", "demo", "lily"),
        fan_likes=20,
    ),
    Post(
        "demo_first",
        "demo",
        "First post on Storefeed! Following @lily for lipstick and @foodie_wang for noodles. "
        "What else should I follow? 求推荐！",
        likes=("tom_li", "weiwei", "kai_chen"),
    ),
    Post(
        "tom_to_demo",
        "tom_li",
        "@demo @chen_tech for gadgets, @fit_mei if you want to move more than your thumbs 😄",
        reply_to="demo_first",
        likes=("demo",),
    ),
    Post(
        "lily_swatches",
        "lily",
        "Swatch day! Nine shades of the new Velvet Matte line on my arm, natural light, "
        "no filter. Which one is your favourite? 九个色号全部试色 #美妆# #口红",
        images=tuple(("lipstick", f"Velvet Matte {code} {name}") for name, code, _c in SHADES),
        colours=tuple(colour for _name, _code, colour in SHADES),
        likes=("jenny_h", "weiwei", "sakura_skin", "olivia_m", "demo", "anna_style", "grace_w"),
        fan_likes=40,
        bookmarks=("demo", "weiwei", "jenny_h"),
        pinned=True,
    ),
    Post(
        "jenny_q",
        "jenny_h",
        "@lily #03 Rose or #08 Mauve for everyday office wear? 通勤选哪个？",
        reply_to="lily_swatches",
        likes=("lily",),
    ),
    Post(
        "lily_a",
        "lily",
        "@jenny_h #08 Mauve 豆沙色, it is forgiving and works with any outfit. "
        "Blot once and it lasts until lunch.",
        reply_to="jenny_q",
        likes=("jenny_h", "weiwei", "demo"),
    ),
    Post(
        "weiwei_a",
        "weiwei",
        "@jenny_h 豆沙色+1，学生党也不踩雷！",
        language="zh",
        reply_to="jenny_q",
    ),
    Post(
        "weiwei_quote",
        "weiwei",
        "这组试色太良心了，终于知道自己适合哪个色号 #美妆#",
        language="zh",
        quote_of="lily_swatches",
        likes=("lily", "jenny_h"),
    ),
    Post(
        "sakura_serum",
        "sakura_skin",
        "成分党来讲讲：烟酰胺 5% + 透明质酸，这个精华的配方很扎实，敏感肌先在耳后试。"
        "Ingredients list: https://example.com/inci/serum-b5 #护肤",
        language="zh",
        images=(("serum", "B5 精华 Serum ¥269"), ("serum", "成分表 INCI list")),
        likes=("lily", "weiwei", "jenny_h", "mama_zhou"),
        fan_likes=10,
        bookmarks=("weiwei",),
    ),
    Post(
        "leo_beach",
        "travel_leo",
        "Three days on a quiet island in the South China Sea. No signal, great seafood, "
        "perfect sunsets. 海岛三日，手机没信号反而很好。#旅行# #travel",
        images=(
            ("beach", "Sunrise 日出"),
            ("beach", "Quiet bay 安静的海湾"),
            ("salad", "Seafood lunch 海鲜午餐"),
            ("beach", "Sunset 日落"),
            ("coffee", "Beach café 海边咖啡"),
            ("skyline", "Back to the city 回城"),
        ),
        likes=("sara_k", "yan_yan", "ming_photo", "demo", "anna_style"),
        fan_likes=9,
        bookmarks=("sara_k", "demo"),
    ),
    Post(
        "sara_reply",
        "sara_k",
        "@travel_leo Adding this to my list. How did you get there from Sanya?",
        reply_to="leo_beach",
    ),
    Post(
        "leo_reply",
        "travel_leo",
        "@sara_k Ferry from the old harbour at 7am, two hours. Bring cash! 带现金！",
        reply_to="sara_reply",
        likes=("sara_k", "demo"),
    ),
    Post(
        "fit_mei_workout",
        "fit_mei",
        "15 分钟哑铃全身训练，在家就能练：深蹲推举 ×12、划船 ×12、弓步 ×10，三组。"
        "No gym needed. #健身# #fitness",
        language="zh",
        images=(("dumbbell", "可调哑铃 Adjustable dumbbells ¥399"),),
        likes=("kai_chen", "demo", "lily"),
        fan_likes=6,
    ),
    Post(
        "kai_quote",
        "kai_chen",
        "Did this at 7am before work. My legs are not speaking to me. 10/10 would recommend.",
        quote_of="fit_mei_workout",
        likes=("fit_mei", "demo", "tom_li"),
    ),
    Post(
        "jun_camera",
        "jun_gadgets",
        "New desk setup: the little film-look camera, a mechanical keyboard and too many "
        "cables. 新桌搭，欢迎抄作业。#科技# #desksetup",
        images=(
            ("camera", "Compact camera 卡片机 ¥3,199"),
            ("laptop", "Desk setup 桌搭"),
            ("headphones", "Studio headphones 监听耳机 ¥899"),
            ("coffee", "Fuel 续命咖啡"),
        ),
        likes=("chen_tech", "ming_photo", "tom_li", "haoran"),
        fan_likes=5,
    ),
    Post(
        "tea_lin",
        "tea_master_lin",
        "今年的武夷岩茶出来了，焙火刚好，岩韵明显。Handmade in our family workshop, "
        "third generation. #美食# #茶",
        language="zh",
        images=(("tea", "大红袍 Da Hong Pao ¥168/100g"), ("mountain", "武夷山茶园 Wuyi tea hills")),
        likes=("foodie_wang", "grace_w", "zhang_san"),
        fan_likes=4,
    ),
    Repost("lily", "sakura_serum"),
    Post(
        "mama_toys",
        "mama_zhou",
        "给两岁宝宝挑积木：边角要圆、颜色要正、能啃（真的会啃）。这套用了一年还很新。#育儿#",
        language="zh",
        images=(("toy", "木质积木 Wooden blocks ¥129"), ("toy", "收纳盒 Storage box")),
        likes=("grace_w", "sakura_skin"),
        fan_likes=3,
    ),
    Post(
        "haoran_phone",
        "haoran",
        "等了三个月终于到手，开箱！@chen_tech 的测评帮我下了决心。#数码",
        language="zh",
        images=(
            ("phone", "开箱 Unboxing"),
            ("phone", "背面 The back"),
            ("headphones", "耳机 Earbuds"),
        ),
        likes=("chen_tech", "tom_li", "jun_gadgets"),
    ),
    Repost("tom_li", "haoran_phone"),
    Post(
        "grace_q",
        "grace_w",
        "@mama_zhou Are these safe for a 14-month-old? Mine puts everything in her mouth.",
        reply_to="mama_toys",
    ),
    Post(
        "xiaoyu_private",
        "xiaoyu",
        "今天下雨，在家泡了杯茶看书。只给朋友看的小日记。",
        language="zh",
        visibility="private",
        images=(("tea", "雨天的茶 Rainy-day tea"),),
        likes=("weiwei",),
    ),
    Post(
        "chen_poll",
        "chen_tech",
        "下一期测评你们想看什么？What should I review next?",
        language="zh",
        poll=("折叠屏 Foldable", "降噪耳机 ANC earbuds", "轻薄本 Ultrabook"),
        likes=("haoran",),
    ),
    Post(
        "ming_night",
        "ming_photo",
        "Shanghai after the rain. Shot on film, scanned at home. 雨后的外滩。",
        images=(("skyline", "The Bund 外滩, Portra 400"), ("skyline", "Lujiazui 陆家嘴")),
        likes=("jun_gadgets", "travel_leo", "demo"),
    ),
    Post(
        "yan_yan_trip",
        "yan_yan",
        "周末去了趟大理，洱海边骑车，风好大但好美。下次想去雪山！#旅行#",
        language="zh",
        images=(
            ("mountain", "苍山 Cangshan"),
            ("beach", "洱海 Erhai lake"),
            ("coffee", "古城咖啡 Old-town café"),
            ("salad", "白族菜 Bai cuisine"),
        ),
        likes=("travel_leo", "sara_k", "foodie_wang"),
    ),
    Repost("travel_leo", "yan_yan_trip"),
    Post(
        "anna_bag",
        "anna_style",
        "The only bag I carried for a month in Paris. Fits a laptop, looks good at dinner. "
        "Details and sizes: https://example.com/shop/anna-tote #OOTD #时尚#",
        images=(
            ("handbag", "Everyday tote 通勤包 ¥1,280"),
            ("handbag", "Inside 内部"),
            ("laptop", "Fits 14 inch 可放14寸"),
        ),
        likes=("olivia_m", "sara_k", "demo", "weiwei"),
        fan_likes=18,
        bookmarks=("demo",),
    ),
    Post(
        "zhang_cook",
        "zhang_san",
        "照着 @foodie_wang 的方子在家做了担担面，七分像！#美食#",
        language="zh",
        images=(("noodles", "自制担担面 Homemade"),),
        likes=("foodie_wang", "lucas_b"),
    ),
    Repost("kai_chen", "zhang_cook"),
    Post(
        "foodie_cake",
        "foodie_wang",
        "Sunday baking: strawberry cream cake for my mum's birthday. 妈妈生日快乐！🎂",
        images=(("cake", "Strawberry cake 草莓蛋糕"),),
        likes=("tea_master_lin", "lucas_b", "demo", "zhang_san", "yan_yan"),
        fan_likes=7,
    ),
    Post(
        "sakura_warning",
        "sakura_skin",
        "Before and after: two weeks of retinol on my forehead. Peeling in week one is normal.",
        spoiler_text="Skin close-ups 皮肤特写",
        images=(("serum", "Week 0 第0周"), ("serum", "Week 2 第2周")),
        likes=("lily", "jenny_h"),
    ),
    Post(
        "lily_eyeshadow",
        "lily",
        "Autumn eyeshadow palette: warm browns and one sneaky plum. 秋冬眼影盘，大地色+梅子色。"
        "@sakura_skin checked the ingredient list for sensitive eyes ✔️ #美妆# #眼妆",
        images=(
            ("eyeshadow", "Autumn palette 秋冬眼影盘 ¥329"),
            ("eyeshadow", "Swatches 试色"),
            ("lipstick", "Matching lip 同色系口红"),
        ),
        likes=("sakura_skin", "jenny_h", "weiwei", "demo", "olivia_m"),
        fan_likes=30,
        bookmarks=("jenny_h",),
    ),
    Post(
        "sakura_reply",
        "sakura_skin",
        "@lily Thanks for asking first! No carmine, fragrance-free, fine for most sensitive eyes.",
        reply_to="lily_eyeshadow",
        likes=("lily", "jenny_h"),
    ),
    Post(
        "demo_noodles",
        "demo",
        "Tried the 担担面 place @foodie_wang posted. Queue was long, noodles were worth it. "
        "#美食# #成都",
        images=(("noodles", "My bowl 我的那碗"), ("dumplings", "And dumplings 还有饺子")),
        likes=("foodie_wang", "lucas_b", "kai_chen", "tom_li"),
    ),
    Post(
        "kai_reply_demo",
        "kai_chen",
        "@demo next time order the 钟水饺 too, trust me",
        reply_to="demo_noodles",
        likes=("demo",),
    ),
    Post(
        "olivia_colours",
        "olivia_m",
        "Colour study for this season: plum, mauve, camel and a bright coral to wake it up. "
        "本季流行色，做成了色卡，随便拿去用。#时尚# #design",
        images=(
            ("eyeshadow", "Palette 色卡"),
            ("dress", "Plum 梅子色"),
            ("handbag", "Camel 驼色"),
            ("lipstick", "Coral 珊瑚色"),
        ),
        colours=(None, (104, 30, 70), (193, 154, 107), CORAL),
        likes=("anna_style", "lily", "jenny_h"),
        bookmarks=("jenny_h",),
    ),
    Repost("jenny_h", "olivia_colours"),
    Repost("demo", "lily_eyeshadow"),
    Repost("sara_k", "anna_bag"),
    Post(
        "anna_ootd_2",
        "anna_style",
        "#OOTD rainy day edition: trench coat, wide trousers, waterproof sneakers. 雨天穿搭。",
        images=(
            ("dress", "Trench coat 风衣 ¥1,599"),
            ("sneakers", "Waterproof 防水小白鞋"),
            ("handbag", "Mini bag 迷你包"),
            ("skyline", "Shanghai rain 上海的雨"),
        ),
        likes=("olivia_m", "lily", "sara_k", "demo"),
        fan_likes=25,
    ),
    Repost("foodie_wang", "demo_noodles"),
    Post(
        "tom_sneakers",
        "tom_li",
        "Finally got the yellow pair. 抢到了！Anyone else queue online at midnight? #sneakers",
        images=(("sneakers", "Yellow runners 黄色跑鞋 ¥799"),),
        likes=("kai_chen", "demo", "anna_style"),
    ),
    Post(
        "leo_mountains",
        "travel_leo",
        "雪山徒步第四天，海拔 4,200 米。The view made every step worth it. #旅行#",
        language="zh",
        images=(
            ("mountain", "Day 4, 4,200 m 海拔4200米"),
            ("mountain", "Camp 营地"),
            ("tea", "Butter tea 酥油茶"),
        ),
        likes=("sara_k", "yan_yan", "ming_photo", "demo"),
        fan_likes=6,
    ),
    Post(
        "chen_laptop",
        "chen_tech",
        "轻薄本横评：五台机器，重量、续航、屏幕一张表看懂。表格见 "
        "https://example.com/reviews/ultrabooks-2015 #科技#",
        language="zh",
        images=(
            ("laptop", "轻薄本 A ¥5,999"),
            ("laptop", "轻薄本 B ¥6,499"),
            ("laptop", "轻薄本 C ¥4,899"),
            ("laptop", "续航对比 Battery"),
            ("laptop", "屏幕对比 Screens"),
        ),
        likes=("haoran", "jun_gadgets", "tom_li", "demo"),
        fan_likes=10,
        bookmarks=("tom_li",),
    ),
    Post(
        "olivia_quote",
        "olivia_m",
        "The colour story in these looks is so good. 这配色太高级了。",
        quote_of="anna_ootd_2",
        likes=("anna_style",),
    ),
    Repost("weiwei", "sakura_warning"),
    Post(
        "lily_tuesday",
        "lily",
        "Tuesday swatches are up tomorrow: coral shades for spring. 明天上新珊瑚色，"
        "@demo you asked for these! #美妆#",
        images=(("lipstick", "Coral 珊瑚 #05 preview 预告"),),
        colours=(CORAL,),
        likes=("demo", "jenny_h", "weiwei"),
        fan_likes=22,
    ),
)
