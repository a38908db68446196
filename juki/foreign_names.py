"""Names of foreign residents: alphabet spelling (as on the 在留カード), カタカナ表記 and, where the name has
one, its kanji form (used as 通称 for Chinese and Korean residents).
"""

from dataclasses import dataclass

ForeignName = tuple[str, str, str | None]  # (ALPHABET, カタカナ, kanji or None)


@dataclass(frozen=True)
class NameSet:
    """Family and given names of one nationality; ``weight`` is its share of the foreign population."""

    nationality: str
    weight: int
    surnames: tuple[ForeignName, ...]
    male: tuple[ForeignName, ...]
    female: tuple[ForeignName, ...]
    middle: dict[str, ForeignName] | None = None  # Vietnamese middle name by sex


NAME_SETS: tuple[NameSet, ...] = (
    NameSet(
        "CN", 32,
        (("WANG", "ワン", "王"), ("LI", "リ", "李"), ("ZHANG", "チャン", "張"), ("LIU", "リュウ", "劉"),
         ("CHEN", "チェン", "陳"), ("YANG", "ヤン", "楊"), ("ZHAO", "チャオ", "趙"), ("HUANG", "ホアン", "黄"),
         ("ZHOU", "チョウ", "周"), ("WU", "ウー", "呉")),
        (("WEI", "ウェイ", "偉"), ("QIANG", "チャン", "強"), ("LEI", "レイ", "磊"), ("JUN", "ジュン", "軍"),
         ("YONG", "ヨン", "勇"), ("JIE", "ジエ", "杰"), ("TAO", "タオ", "涛"), ("MING", "ミン", "明"),
         ("HAORAN", "ハオラン", "浩然"), ("ZIHAN", "ズーハン", "子涵")),
        (("FANG", "ファン", "芳"), ("NA", "ナー", "娜"), ("MIN", "ミン", "敏"), ("JING", "ジン", "静"),
         ("YAN", "イェン", "艶"), ("XIUYING", "シウイン", "秀英"), ("HUA", "ホア", "華"), ("LING", "リン", "玲"),
         ("YUTING", "ユーティン", "雨婷"), ("XIAOHONG", "シャオホン", "小紅")),
    ),
    NameSet(
        "VN", 22,
        (("NGUYEN", "グエン", None), ("TRAN", "チャン", None), ("LE", "レ", None), ("PHAM", "ファム", None),
         ("HOANG", "ホアン", None), ("VU", "ヴー", None), ("DANG", "ダン", None), ("BUI", "ブイ", None)),
        (("NAM", "ナム", None), ("HUNG", "フン", None), ("DUC", "ドゥック", None), ("MINH", "ミン", None),
         ("TUAN", "トゥアン", None), ("LONG", "ロン", None), ("QUANG", "クアン", None), ("THANH", "タイン", None)),
        (("LAN", "ラン", None), ("HOA", "ホア", None), ("LINH", "リン", None), ("THAO", "タオ", None),
         ("TRANG", "チャン", None), ("MAI", "マイ", None), ("HUONG", "フオン", None), ("NGOC", "ゴック", None)),
        middle={"男": ("VAN", "ヴァン", None), "女": ("THI", "ティ", None)},
    ),
    NameSet(
        "KR", 16,
        (("KIM", "キム", "金"), ("LEE", "イ", "李"), ("PARK", "パク", "朴"), ("CHOI", "チェ", "崔"),
         ("JEONG", "チョン", "鄭"), ("KANG", "カン", "姜"), ("CHO", "チョ", "趙"), ("YOON", "ユン", "尹")),
        (("MINJUN", "ミンジュン", "民俊"), ("JIHOON", "ジフン", "志勲"), ("SEONGMIN", "ソンミン", "成民"),
         ("DONGHYUN", "ドンヒョン", "東賢"), ("JUNHO", "ジュノ", "俊浩"), ("YOUNGSOO", "ヨンス", "永洙")),
        (("JIYEON", "ジヨン", "智妍"), ("SUYEON", "スヨン", "秀妍"), ("EUNHYE", "ウネ", "恩恵"),
         ("MINJI", "ミンジ", "敏智"), ("SEOYEON", "ソヨン", "瑞妍"), ("HYEJIN", "ヘジン", "恵珍")),
    ),
    NameSet(
        "PH", 12,
        (("SANTOS", "サントス", None), ("REYES", "レイエス", None), ("CRUZ", "クルス", None),
         ("GARCIA", "ガルシア", None), ("BAUTISTA", "バウティスタ", None), ("MENDOZA", "メンドーサ", None)),
        (("JOSE", "ホセ", None), ("MARK", "マーク", None), ("JOHN PAUL", "ジョン　ポール", None),
         ("PAOLO", "パオロ", None), ("RAMON", "ラモン", None)),
        (("MARIA", "マリア", None), ("ANGELICA", "アンジェリカ", None), ("JOY", "ジョイ", None),
         ("CRISTINA", "クリスティーナ", None), ("ROSALIE", "ロザリー", None)),
    ),
    NameSet(
        "BR", 10,
        (("SILVA", "シルバ", None), ("OLIVEIRA", "オリベイラ", None), ("SOUZA", "ソウザ", None),
         ("PEREIRA", "ペレイラ", None), ("COSTA", "コスタ", None), ("NAKAMURA", "ナカムラ", None)),
        (("PEDRO", "ペドロ", None), ("LUCAS", "ルーカス", None), ("RAFAEL", "ラファエル", None),
         ("GABRIEL", "ガブリエル", None), ("THIAGO", "チアゴ", None)),
        (("ANA", "アナ", None), ("JULIANA", "ジュリアナ", None), ("FERNANDA", "フェルナンダ", None),
         ("MARIANA", "マリアナ", None), ("BEATRIZ", "ベアトリス", None)),
    ),
    NameSet(
        "US", 8,
        (("SMITH", "スミス", None), ("JOHNSON", "ジョンソン", None), ("BROWN", "ブラウン", None),
         ("MILLER", "ミラー", None), ("DAVIS", "デイビス", None), ("WILSON", "ウィルソン", None)),
        (("JOHN", "ジョン", None), ("MICHAEL", "マイケル", None), ("DAVID", "デイビッド", None),
         ("JAMES", "ジェームズ", None), ("DANIEL", "ダニエル", None)),
        (("EMILY", "エミリー", None), ("SARAH", "サラ", None), ("JESSICA", "ジェシカ", None),
         ("ASHLEY", "アシュリー", None), ("HANNAH", "ハンナ", None)),
    ),
)
