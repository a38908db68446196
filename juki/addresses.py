"""Addresses in the fictional city of 見本市: 町名 + 丁目 + 番 + 号, with building and room for apartments.

``AddressBook`` hands out each house lot and each apartment room once, so no two households share an address.
"""

import random
from dataclasses import dataclass

CITY = "見本市"
KANJI_NUMERALS = "〇一二三四五六七八九"
TOWNS: tuple[tuple[str, int], ...] = (  # (町名, number of 丁目)
    ("中央", 4), ("本町", 3), ("栄町", 3), ("緑町", 2), ("東町", 4), ("西町", 3), ("南町", 3), ("北町", 2),
    ("旭町", 2), ("若葉台", 3), ("桜ケ丘", 4), ("港町", 2), ("大手町", 2), ("寿町", 2), ("青葉台", 5),
    ("松原", 3), ("柳町", 2), ("新田", 3), ("日の出町", 2), ("宮前", 3),
)
BUILDINGS: tuple[tuple[str, str | None], ...] = (  # (name, town it stands in; None: anywhere)
    ("コーポ緑", "緑町"), ("メゾン栄", "栄町"), ("サンハイム中央", "中央"), ("グランメゾン見本", None),
    ("レジデンス旭", "旭町"), ("パークサイド若葉", "若葉台"), ("ハイツ桜ケ丘", "桜ケ丘"), ("市営中央団地", "中央"),
    ("シャトー港", "港町"), ("アーバンコート本町", "本町"), ("ベルメゾン東", "東町"), ("フォレスト青葉", "青葉台"),
    ("リバーサイド柳", "柳町"), ("エクセル寿", "寿町"), ("コスモ大手町", "大手町"), ("ソレイユ南", "南町"),
    ("ドミール北", "北町"), ("ヴィラ松原", "松原"), ("ロイヤルハイツ西", "西町"), ("カーサ宮前", "宮前"),
    ("サニーコート日の出", "日の出町"), ("メゾン新田", "新田"), ("プレジオ見本駅前", None),
    ("見本グリーンハイツ", None), ("ハイム東町", "東町"), ("セジュール栄", "栄町"), ("ルミエール", None),
    ("コンフォート若葉台", "若葉台"), ("ラフォーレ青葉台", "青葉台"), ("エスポワール桜ケ丘", "桜ケ丘"),
    ("見本第一マンション", None), ("県営松原住宅", "松原"), ("アルカディア本町", "本町"), ("シティハイツ見本", None),
    ("ガーデンコート緑", "緑町"),
)
DEMO_BUILDING = "見本ハイツ"
LOT_DRAWS = 64  # random draws before falling back to an overflow lot (a miss run this long: < 0.9**64 while 90 % full)
DEMO_BUILDING_LOT = f"{CITY}中央一丁目2番3号"


@dataclass(frozen=True)
class Building:
    """An apartment building standing on one lot; rooms are numbered floor + two digits (101, 1203)."""

    name: str
    lot: str
    floors: int
    rooms_per_floor: int

    def rooms(self) -> list[str]:
        """Return every room number of the building."""
        return [f"{floor}{room:02d}" for floor in range(1, self.floors + 1)
                for room in range(1, self.rooms_per_floor + 1)]


class AddressBook:
    """Hands out unused addresses of 見本市 from a seeded random generator."""

    def __init__(self, rng: random.Random, reserved: tuple[str, ...] = ()) -> None:
        self._rng = rng
        self._used: set[str] = set(reserved)
        self._used_lots: set[str] = {address.split(" ")[0] for address in reserved}
        # Free rooms per building, in rooms() order, computed on first use: filtering every room of every building
        # on each call made a 100,000-people register quadratic once the buildings were full.
        self._free_rooms: dict[str, list[str]] = {}
        self._overflow = 0
        self._full_towns: set[str | None] = set()
        self._buildings = [Building(DEMO_BUILDING, DEMO_BUILDING_LOT, 3, 4)]
        self._used_lots.add(DEMO_BUILDING_LOT)
        self._buildings += [self._new_building(name, town) for name, town in BUILDINGS]

    def house(self) -> str:
        """Return an unused house address (no building)."""
        lot = self._free_lot()
        self._used.add(lot)
        return lot

    def apartment(self) -> str:
        """Return an unused apartment address; falls back to a house when every room is taken."""
        buildings = list(self._buildings)
        self._rng.shuffle(buildings)
        for building in buildings:
            free = self._free_rooms.get(building.name)
            if free is None:
                free = [room for room in building.rooms() if f"{building.lot} {building.name}{room}" not in self._used]
                self._free_rooms[building.name] = free
            if free:
                room = self._rng.choice(free)
                free.remove(room)
                address = f"{building.lot} {building.name}{room}"
                self._used.add(address)
                return address
        return self.house()

    def _new_building(self, name: str, town: str | None) -> Building:
        return Building(name, self._free_lot(town), self._rng.randint(2, 8), self._rng.randint(3, 8))

    def _free_lot(self, town: str | None = None) -> str:
        towns = [entry for entry in TOWNS if town in (None, entry[0])]
        if town in self._full_towns:
            return self._overflow_lot(towns)
        for _ in range(LOT_DRAWS):
            town_name, chome_count = self._rng.choice(towns)
            chome = KANJI_NUMERALS[self._rng.randint(1, chome_count)]
            lot = f"{CITY}{town_name}{chome}丁目{self._rng.randint(1, 28)}番{self._rng.randint(1, 22)}号"
            if lot not in self._used_lots:
                self._used_lots.add(lot)
                return lot
        self._full_towns.add(town)  # a miss run this long: the drawn lots are (all but) gone, stop drawing
        return self._overflow_lot(towns)

    def _overflow_lot(self, towns: list[tuple[str, int]]) -> str:
        """A lot past 22号, handed out in order: the 35,112 drawn lots (57 丁目 × 28番 × 22号) run out near 80,000
        people and the draw above would then loop for ever. Only reached after LOT_DRAWS misses in a row, so a
        register that fitted before gets exactly the same addresses."""
        lots_per_go = sum(count for _, count in towns) * 28
        while True:
            index, self._overflow = self._overflow, self._overflow + 1
            go, rest = 23 + index // lots_per_go, index % lots_per_go
            ban, rest = 1 + rest % 28, rest // 28
            chome_of = [(name, chome) for name, count in towns for chome in range(1, count + 1)]
            town_name, chome = chome_of[rest]
            lot = f"{CITY}{town_name}{KANJI_NUMERALS[chome]}丁目{ban}番{go}号"
            if lot not in self._used_lots:
                self._used_lots.add(lot)
                return lot
