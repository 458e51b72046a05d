"""Time diff_texts on two ~10,000-character reports beside difflib on the same texts.

Usage: python -m benchmarks.diffing [--old FILE --new FILE] [--repeat N]
       python -m benchmarks.diffing --quality [--fixtures DIR] [--split all|tuning|held-out] [--misses]
       python -m benchmarks.diffing --quality --pairs t62-t64,t70 [--misses]   (some tuning pairs alone)
       python -m benchmarks.diffing --site [--agencies 1000 --years 6]
--quality scores diffing.yoy.compare_years, per category (kept, changed, split, merged, dropped,
added, follow-through, recurring, resolved, new problems, figures, compliance) with a micro F1 and
the traps fooled, on three sets: the blind pairs of tests/fixtures/yoy_real (tuning half and
sealed half; the sealed half only ever as totals), and the first set in tests/fixtures/yoy
(written with the matcher). How predictions meet gold anchors: benchmarks/yoy_scoring.py.
``--misses`` lists what went wrong, on the tuning half and the first set only. --site times
build_report_site on a generated archive of fictional agencies written through sqlite-utils.
Without files it takes the real 址山镇 2020 report from ../shared/corpus (a development checkout),
about 5,000 characters, followed by copies of it about neighbouring townships and years (so no
sentence repeats), cut to 10,000 characters; then it makes an edited copy (figures changed, sentences reworded,
removed and added every few sentences), so the diff has real work to do.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.yoy_pairs import pair_number
from benchmarks.yoy_scoring import CATEGORIES, LabelledPair, fixture_pairs, misses, real_pairs, score_pairs
from diffing.sentences import split_sentences
from diffing.textdiff import _words, diff_texts
from diffing.yoy import compare_years, diff_reports

ROOT = Path(__file__).resolve().parents[1]
SHARED_REPORT = ROOT / ".." / "shared" / "corpus" / "zhishan-2020-report.txt"
FIXTURES = ROOT / "tests" / "fixtures" / "yoy"
LENGTH = 10_000


def ten_thousand_characters(report: str) -> str:
    copies = [report]
    for town, year in (("双桥", 2019), ("龙口", 2018)):
        copies.append(report.replace("址山", town).replace("2021", str(year + 1)).replace("2020", str(year)))
    return "\n".join(copies)[:LENGTH]


def edited_copy(text: str) -> str:
    """A deterministic revision: every 5th sentence gets a figure bumped or a clause added, every 11th goes."""
    out = []
    for n, sentence in enumerate(split_sentences(text)):
        if n % 11 == 10:
            continue
        if n % 5 == 4:
            bumped = "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in sentence)
            sentence = bumped if bumped != sentence else sentence.replace("。", ",并持续跟踪落实。", 1)
        out.append(sentence)
        if n % 13 == 12:
            out.append("新增内容：进一步完善行政规范性文件合法性审核机制。")
    return "\n".join(out)


def _clear_caches() -> None:
    """Every per-sentence and per-text cache of diffing, so each timed run starts cold."""
    from diffing import figures, followthrough, meaning, yoy

    for cached in (_words, yoy.content_words, followthrough._windows, yoy.sentence_key, yoy._parts, yoy._commitments,
                   figures._extract_figures, meaning.gist, meaning._tagged, yoy._sentence_likeness):
        cached.cache_clear()


def median_ms(run: Callable[[], object], repeat: int, reset: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if reset:
            reset()
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def quality(fixtures: Path = FIXTURES, split: str = "all") -> dict[str, Any]:
    """Precision, recall and F1 per category on the first labelled set (its ``split``: all, tuning, held-out)."""
    return score_pairs(fixture_pairs(fixtures, split))


def quality_sets(fixtures: Path = FIXTURES, split: str = "all", halves: tuple[str, ...] = ("tuning", "sealed")
                 ) -> dict[str, dict[str, Any]]:  # fmt: skip
    """The scores on each labelled set: the blind pairs' halves asked for (tuning, sealed), and the first set.

    While tuning, ask for the tuning half alone: the sealed half's totals are looked at rarely, and
    never tuned on.
    """
    return {
        **{f"yoy_real {half}": score_pairs(real_pairs(half)) for half in halves},
        f"first set ({split})": quality(fixtures, split),
    }


def pair_numbers(spec: str) -> set[int]:
    """``t62-t64,t70`` → {62, 63, 64, 70}: the tuning pairs a subset names (by the number after ``t``)."""
    numbers: set[int] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        low, _dash, high = part.partition("-")
        try:
            first, last = int(low.lstrip("tT")), int((high or low).lstrip("tT"))
        except ValueError:
            raise ValueError(f"--pairs: {part!r} is not a pair number or range (t62, t62-t64)") from None
        numbers.update(range(first, last + 1))
    return numbers


def tuning_subset(spec: str) -> list[LabelledPair]:
    """The tuning pairs ``spec`` names; an error naming what matched nothing, so a typo is not a score."""
    wanted = pair_numbers(spec)
    pairs = [p for p in real_pairs("tuning") if pair_number(p.id) in wanted]
    if not pairs:
        raise ValueError(f"--pairs {spec}: no tuning pair has those numbers")
    return pairs


def quality_table(sets: dict[str, dict[str, Any]]) -> str:
    """The scores as a text table: precision / recall per category and set, micro F1, traps fooled."""
    names = list(sets)
    lines = ["category".ljust(16) + "".join(f"{n:>26}" for n in names)]
    for category in (*CATEGORIES, "micro"):
        cells = []
        for n in names:
            c = sets[n][category]
            cells.append(f"{c['precision']:.2f}/{c['recall']:.2f} (n={c['gold']})".rjust(26))
        lines.append(category.ljust(16) + "".join(cells))
    lines.append("micro F1".ljust(16) + "".join(f"{sets[n]['micro']['f1']:>26.3f}" for n in names))
    lines.append("traps fooled".ljust(16) + "".join(
        f"{sets[n]['traps_fooled']['fooled']} of {sets[n]['traps_fooled']['traps']}".rjust(26) for n in names))
    lines.append("pairs".ljust(16) + "".join(f"{sets[n]['pairs']['count']:>26}" for n in names))
    return "\n".join(lines)


# Fictional material for a generated archive: sentence templates with {n} figures, as county
# reports are written (the same templates reused across agencies, figures and plans moving each year).
_ACHIEVEMENTS = (
    "全年审核行政规范性文件{n}件,提出修改意见{n}条,备案审查率达到100%。",
    "审查各类合同{n}份,涉及金额{n}万元,出具法律意见书{n}份。",
    "受理行政复议案件{n}件,审结{n}件,纠错{n}件。",
    "发生行政应诉案件{n}件,行政机关负责人出庭应诉率100%。",
    "排查矛盾纠纷{n}起,调解成功{n}起,调解成功率达到9{d}%。",
    "开展法治宣传活动{n}场,发放宣传资料{n}份,受众{n}余人。",
    "组织领导干部集体学法{n}次,举办法治专题讲座{n}场。",
    "开展行政执法检查{n}次,查处违法案件{n}件,罚没款{n}万元。",
    "拆除违法建筑{n}起,面积{n}平方米。",
    "建成村级公共法律服务工作室{n}个,提供法律咨询{n}人次。",
    "培养“法律明白人”{n}名,建成民主法治示范村{n}个。",
    "举办行政执法人员培训班{n}期,培训执法人员{n}人次。",
    "全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度,执法案卷合格率达到9{d}%。",
    "深化“放管服”改革,政务服务事项网上可办率达到9{d}%,办理政务服务事项{n}件。",
    "落实法律顾问制度,法律顾问列席重要会议{n}次,参与处理信访案件{n}件。",
    "严格执行重大行政决策程序,作出重大行政决策{n}项,均经过合法性审查和集体讨论决定。",
)
# What fills a real report between the figures: measures told at length, partly the same everywhere.
_NARRATIVE = (
    "坚持把法治政府建设摆在全局工作的重要位置,主要负责人切实履行推进法治建设第一责任人职责,定期听取法治建设工作汇报。",
    "严格落实党政主要负责人年终述法制度,将法治建设纳入年度绩效考核,考核结果作为干部选拔任用的重要依据。",
    "坚持重大事项集体讨论决定,重大行政决策前充分听取社会公众意见,并进行风险评估和合法性审查。",
    "健全政府法律顾问工作机制,在重大项目谈判、合同签订、信访化解等方面充分发挥法律顾问的专业作用。",
    "聚焦群众反映强烈的突出问题,组织开展专项整治行动,依法查处了一批违法违规行为,有效维护了群众合法权益。",
    "以“谁执法谁普法”责任制为抓手,推动法治宣传进机关、进乡村、进社区、进学校、进企业、进单位。",
    "依托新时代文明实践站,利用微信公众号、宣传栏、大喇叭等载体,广泛宣传宪法、民法典以及与群众生产生活密切相关的法律法规。",
    "坚持和发展新时代“枫桥经验”,完善人民调解、行政调解、司法调解联动工作体系,把矛盾纠纷化解在基层、化解在萌芽状态。",
    "严格规范行政执法行为,全面落实行政裁量权基准制度,推行说理式执法和柔性执法,做到宽严相济、法理相融。",
    "主动接受人大法律监督、政协民主监督和社会舆论监督,认真办理人大代表建议和政协委员提案,办复率达到100%。",
    "全面推进政务公开,通过政府门户网站主动公开各类政府信息,依法办理政府信息公开申请,做到应公开尽公开。",
    "加强行政执法队伍建设,组织执法人员参加执法资格考试和业务培训,不断提升执法人员的法律素养和执法能力。",
    "深化“放管服”改革,持续优化营商环境,推行“一窗受理、集成服务”,让企业和群众办事少跑腿、好办事。",
    "完善公共法律服务体系,整合律师、公证、人民调解、法律援助等法律服务资源,为群众提供便捷高效的法律服务。",
)
_TITLES = (
    "加强组织领导,压实法治建设责任", "依法全面履行政府职能", "推进行政决策科学化民主化法治化",
    "严格规范公正文明执法", "强化对行政权力的制约和监督", "依法有效化解社会矛盾纠纷",
    "深入开展法治宣传教育", "加强公共法律服务体系建设", "提升干部法治思维和依法行政能力",
    "加强行政规范性文件管理", "推进政务公开", "优化法治化营商环境",
)
_PROBLEMS = (
    "行政执法人员法律素养参差不齐,执法能力有待提高。",
    "基层法治工作力量薄弱,专业人员缺乏。",
    "法治宣传形式较为单一,针对性不强。",
    "部分干部运用法治思维和法治方式解决问题的能力不足。",
    "行政执法案卷制作不够规范。",
    "村级法律顾问作用发挥不充分。",
    "数字法治建设滞后,信息化水平不高。",
    "重大行政决策公众参与度不高。",
    "行政规范性文件清理不够及时。",
    "矛盾纠纷多元化解机制衔接不够顺畅。",
)
_PLANS = (
    "推进行政执法三项制度全覆盖,实现执法全过程记录。",
    "加强人民调解员队伍建设,新增专职人民调解员{n}名。",
    "创新法治宣传方式,建设法治文化公园{n}个。",
    "开展行政执法人员业务培训,全年培训不少于{n}期。",
    "推进数字法治建设,上线行政执法监督平台。",
    "深化村(社区)法律顾问制度,法律顾问每月到村坐班不少于{n}天。",
    "完善重大行政决策程序,建立决策事项目录管理制度。",
    "开展行政规范性文件全面清理,清理文件不少于{n}件。",
    "推行包容审慎监管,制定轻微违法行为免罚清单。",
    "深化“法律明白人”培养工程,每村培养法律明白人{n}名以上。",
    "健全矛盾纠纷多元化解机制,建设综治中心{n}个。",
    "落实行政机关负责人出庭应诉制度,出庭应诉率保持100%。",
)
_CN = "一二三四五六七八九十"


def _fill(template: str, rng: Any) -> str:
    while "{n}" in template:
        template = template.replace("{n}", str(rng.randint(2, 400)), 1)
    return template.replace("{d}", str(rng.randint(0, 9)))


def generated_report(name: str, year: int, plans: list[str], rng: Any) -> tuple[str, list[str]]:
    """A fictional report of about 3,000 characters and next year's plans (some kept, some reworded, some new)."""
    lines = [f"{name}{year}年法治政府建设年度报告"]
    lines.append(f"{year}年,{name}在上级党委、政府的正确领导下,深入学习贯彻习近平法治思想,法治政府建设取得新成效。")
    lines.append("一、主要工作和成效")
    figures = rng.sample(_ACHIEVEMENTS, 10)
    for k, title in enumerate(rng.sample(_TITLES, 8)):
        lines.append(f"({_CN[k]}){title}")
        mine = [figures[k]] + ([figures[8 + k]] if k < 2 else [])
        # each agency words the shared measures its own way: its name in some, its own figures in others
        told = [_fill(t, rng) for t in mine] + [
            f"{name[-6:]}{t}" if rng.random() < 0.5 else t.replace(",", f",全年{rng.randint(2, 90)}次", 1)
            for t in rng.sample(_NARRATIVE, 4)
        ]
        lines.append("".join(rng.sample(told, len(told))))
    lines.append("二、存在的问题")
    lines.append("；".join(f"{_CN[k]}是{p.rstrip('。')}" for k, p in enumerate(rng.sample(_PROBLEMS, 3))) + "。")
    kept = [p for p in plans if rng.random() < 0.6]
    kept = [_fill(t, rng) if "{n}" in t and rng.random() < 0.3 else t for t in kept]
    fresh = [t for t in rng.sample(_PLANS, 6) if t not in kept][: max(1, 5 - len(kept))]
    next_plans = (kept + fresh)[:6]
    lines.append(f"三、{year + 1}年工作计划")
    lines += [f"({_CN[k]}){_fill(t, rng) if '{n}' in t else t}" for k, t in enumerate(next_plans)]
    return "\n".join(lines) + "\n", next_plans


def generate_archive(db_path: Path, agencies: int = 1000, years: int = 6, seed: int = 5) -> dict[str, int]:
    """An archive of fictional agencies × years, bulk-inserted with sqlite-utils into archive/schema.py's tables.

    About one report in thirty gets a silent edit (a second version with a figure changed).
    """
    import hashlib
    import random

    from sqlite_utils import Database

    from archive.schema import ensure_schema

    rng = random.Random(seed)
    db = Database(db_path)
    ensure_schema(db)
    agency_rows, document_rows, url_rows, body_rows, capture_rows, version_rows = [], [], [], [], [], []
    counties = [f"{a}{b}县" for a in "青云白临梅金东南西北" for b in "山水溪河林石"]
    for a in range(1, agencies + 1):
        county = counties[a % len(counties)]
        name = f"{county}第{a}号镇人民政府" if a % 3 else f"{county}第{a}号司法局"
        agency_rows.append({"id": a, "name": name, "level": "township" if a % 3 else "department", "region": county})
        plans = rng.sample(_PLANS, 5)
        for y in range(years):
            year = 2018 + y
            text, plans = generated_report(name, year, plans, rng)
            doc_id = a * 100 + y
            day = f"{year + 1}-03-{rng.randint(10, 28):02d}"
            url = f"http://127.0.0.1:8000/bench/{a}/{year}.html"
            url_rows.append({"id": doc_id, "url": url})
            document_rows.append({
                "id": doc_id, "agency_id": a, "report_year": year, "kind": "fazhi_report",
                "title": f"{name}{year}年法治政府建设年度报告", "url": url, "first_seen": day, "last_seen": day,
            })
            texts = [text]
            if rng.random() < 1 / 30:
                texts.append(re.sub(r"\d+件", "999件", text, count=1))
            for v, body in enumerate(texts):
                cid = doc_id * 10 + v
                digest = hashlib.sha256(body.encode()).hexdigest()
                seen = day if v == 0 else f"{year + 1}-06-01"
                body_rows.append({"id": cid, "sha256": bytes.fromhex(digest), "size": len(body.encode()),
                                  "body": zlib.compress(body.encode(), 1)})  # fmt: skip
                capture_rows.append({"id": cid, "url_id": doc_id, "fetched_at": seen, "status": 200, "outcome": "ok",
                                     "body_id": cid})  # fmt: skip
                version_rows.append({
                    "id": cid, "document_id": doc_id, "capture_id": cid, "title": document_rows[-1]["title"],
                    "text": body, "text_normalized": body, "fingerprint": digest, "published": day,
                    "first_seen": seen, "last_seen": seen, "seen_count": 1,
                })
    with db.atomic():
        db["agencies"].insert_all(agency_rows, batch_size=1000)
        db["documents"].insert_all(document_rows, batch_size=1000)
        db["urls"].insert_all(url_rows, batch_size=1000)
        db["bodies"].insert_all(body_rows, batch_size=1000)
        db["captures"].insert_all(capture_rows, batch_size=1000)
        db["versions"].insert_all(version_rows, batch_size=1000)
    db.close()
    return {"agencies": len(agency_rows), "documents": len(document_rows), "versions": len(version_rows)}


def site_speed(agencies: int, years: int, work_dir: Path) -> dict[str, Any]:
    """Generate an archive of agencies × years and time build_report_site over it."""
    from report.site import build_report_site

    work_dir.mkdir(parents=True, exist_ok=True)
    db = work_dir / "bench-archive.db"
    if db.exists():
        db.unlink()
    start = time.perf_counter()
    sizes = generate_archive(db, agencies, years)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    build_report_site(db, work_dir / "site")
    built = time.perf_counter() - start
    pages = sum(1 for _ in (work_dir / "site").rglob("*.html"))
    return {**sizes, "pages": pages, "generate_s": round(generated, 1), "build_report_site_s": round(built, 1)}


def _plan_key(item: Any) -> str | None:
    """A commitment (or the portal's wording of one) keyed without marker, 一是 or punctuation."""
    if item is None:
        return None
    if isinstance(item, str):
        text = item
    else:
        text = item.text[len(item.marker) :] if item.marker and item.text.startswith(item.marker) else item.text
    text = re.sub(r"^[一二三四五六七八九十]+是", "", text.strip())
    return re.sub(r"[\s,，。.;；:：、]", "", text)[:14]


def portal_commitments_quality() -> dict[str, dict[str, float]]:
    """Commitment matching scored on every year-over-year pair of the sample portal's reports.

    Labels come from the portal's own evolution data (``sample_portal.evolution``), written by
    another engineer to generate the texts, not to test the matcher: kept / reworded / dropped /
    added per plan. Each report is taken as first published (before any silent edit).
    """
    import datetime as dt

    from sample_portal.agencies import AGENCIES
    from sample_portal.evolution import EVOLUTIONS
    from sample_portal.network import visible_reports

    reports = {}
    for year in range(2019, 2025):
        for r in visible_reports(dt.date(year + 1, 4, 1)):
            if r.year == year:
                reports[(r.agency, r.year)] = r
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for agency in AGENCIES:
        for year in range(2020, 2025):
            old, new = reports.get((agency.name, year - 1)), reports.get((agency.name, year))
            if old is None or new is None:
                continue
            gold = set()
            for plan in EVOLUTIONS[agency.key].commitments:
                before, after = plan.wording.get(year - 1), plan.wording.get(year)
                if before is None and after is None:
                    continue
                status = "added" if before is None else "dropped" if after is None else (
                    "kept" if before == after else "changed")  # fmt: skip
                gold.add((status, _plan_key(before), _plan_key(after)))
            got = {(m.status, _plan_key(m.previous), _plan_key(m.current)) for m in compare_years(old.text, new.text).commitments}
            for label in gold:
                (tp if label in got else fn)[label[0]] += 1
            for label in got - gold:
                fp[label[0]] += 1
    return {
        status: {
            "precision": round(tp[status] / (tp[status] + fp[status]), 3) if tp[status] + fp[status] else 1.0,
            "recall": round(tp[status] / (tp[status] + fn[status]), 3) if tp[status] + fn[status] else 1.0,
            "gold": tp[status] + fn[status],
        }
        for status in ("kept", "changed", "dropped", "added")
    }


def print_misses(found: dict[str, list[str]]) -> None:
    """Each pair's errors, or that it had none."""
    for pair_id, errors in found.items():
        print(f"\n{pair_id}\n  " + "\n  ".join(errors) if errors else f"\n{pair_id}: nothing missed")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path)
    parser.add_argument("--new", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quality", action="store_true", help="precision/recall on the labelled pairs")
    parser.add_argument(
        "--portal", action="store_true", help="commitment matching on the sample portal's own labelled evolution"
    )
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--misses", action="store_true", help="with --quality: what went wrong (tuning half, first set)")
    parser.add_argument("--split", choices=("all", "tuning", "held-out"), default="all")
    parser.add_argument("--half", choices=("both", "tuning", "sealed"), default="both",
                        help="with --quality: which half of the blind pairs to score (tune on tuning alone)")
    parser.add_argument("--pairs", metavar="t62-t64,t70",
                        help="with --quality: score only these tuning pairs (never sealed ones)")
    parser.add_argument("--site", action="store_true", help="time build_report_site on a generated archive")
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--work-dir", type=Path, help="where the archive and site go (default: a temporary folder)")
    args = parser.parse_args(argv)
    if args.site:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            numbers = site_speed(args.agencies, args.years, args.work_dir or Path(tmp))
        print(json.dumps(numbers, ensure_ascii=False, indent=2))
        return numbers
    if args.portal:
        scores = portal_commitments_quality()
        print(json.dumps(scores, ensure_ascii=False, indent=2))
        return scores
    if args.quality and args.pairs:
        if args.half == "sealed":
            parser.error("--pairs picks tuning pairs; the sealed half is scored only as a whole")
        try:
            chosen = tuning_subset(args.pairs)
        except ValueError as error:
            parser.error(str(error))
        sets = {f"tuning {args.pairs}": score_pairs(chosen)}
        print(quality_table(sets))
        if args.misses:
            print_misses(misses(chosen))
        return sets
    if args.quality:
        halves = ("tuning", "sealed") if args.half == "both" else (args.half,)
        sets = quality_sets(args.fixtures, args.split, halves)
        print(quality_table(sets))
        if args.misses:  # never on the sealed half
            print_misses({**misses(real_pairs("tuning")), **misses(fixture_pairs(args.fixtures, args.split))})
        return sets
    if args.old and args.new:
        old, new = args.old.read_text(encoding="utf-8"), args.new.read_text(encoding="utf-8")
    else:
        old = ten_thousand_characters(SHARED_REPORT.read_text(encoding="utf-8"))
        new = edited_copy(old)
    diff_texts("预热。", "预热一下。")  # load jieba's dictionary outside the timing

    ours = median_ms(lambda: diff_texts(old, new), args.repeat, reset=_words.cache_clear)
    analysis = median_ms(lambda: diff_reports(old, new), args.repeat, reset=_clear_caches)
    lines = median_ms(lambda: list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="")), args.repeat)
    chars = median_ms(
        lambda: difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes(), max(1, args.repeat // 2)
    )
    result = diff_texts(old, new)
    numbers = {
        "old_chars": len(old),
        "new_chars": len(new),
        "diff_texts_ms": round(ours, 1),
        "diff_reports_ms": round(analysis, 1),  # the year-over-year analysis plus the text diff, caches cleared
        "difflib_lines_ms": round(lines, 2),
        "difflib_chars_ms": round(chars, 1),
        "ratio_vs_lines": round(ours / lines, 1) if lines else float("inf"),
        "ratio_vs_chars": round(ours / chars, 2) if chars else float("inf"),
        **{f"sentences_{k}": v for k, v in result.stats.items()},
        "changed_figures": len(result.figures),
    }
    print(json.dumps(numbers, ensure_ascii=False, indent=2))
    return numbers


if __name__ == "__main__":
    main()
