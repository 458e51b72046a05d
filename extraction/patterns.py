"""Portal chrome and metadata patterns, kept as data so new portal templates need no logic change."""

from __future__ import annotations

import re

# Containers that hold the article body on the common portal CMSs, most specific first.
CONTENT_SELECTORS: tuple[str, ...] = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_UEDITOR ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[@id='UCAP-CONTENT']",
    "//*[@id='zoom']",
    "//*[@id='Zoom']",
    "//*[@id='zoomcon']",
    "//*[@id='js_content']",
    "//*[@id='vsb_content' or @id='vsb_content_2' or @id='vsb_content_4']",  # 博达 VSB
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' v_news_content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
    "//*[@id='content']//*[contains(concat(' ', normalize-space(@class), ' '), ' bt_content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' pages_content ')]",
    "//td[contains(concat(' ', normalize-space(@class), ' '), ' content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' wzy_nr ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' zw ')]",
    "//*[@id='article' or @id='content' or @id='main-content' or @id='articleContent']",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' content ')]",
)

# Hanweb (大汉) marks the body with HTML comments / meta tags.
HANWEB_START = "<!--ZJEG_RSS.content.begin-->"
HANWEB_END = "<!--ZJEG_RSS.content.end-->"
HANWEB_MARKERS: tuple[tuple[str, str], ...] = (
    (HANWEB_START, HANWEB_END),
    ('<meta name="ContentStart">', '<meta name="ContentEnd">'),
    ("<meta name='ContentStart'>", "<meta name='ContentEnd'>"),
    ("<!--ContentStart-->", "<!--ContentEnd-->"),
    ("<!-- ContentStart -->", "<!-- ContentEnd -->"),
)

# The one list of file types a page links as attachments: extraction.htmlpage lists such links in
# Report.attachments, and a line that only names such a file is chrome. The first ones can hold the
# report itself: the crawler fetches those from a cover page (crawler.discovery.is_attachment_url).
REPORT_FILE_EXTENSIONS: tuple[str, ...] = ("pdf", "doc", "docx", "wps", "ofd")
ATTACHMENT_EXTENSIONS: tuple[str, ...] = (*REPORT_FILE_EXTENSIONS, "xls", "xlsx", "et", "zip", "rar")
_ATTACHMENT_EXTENSION = "(?i:" + "|".join(ATTACHMENT_EXTENSIONS) + ")"
ATTACHMENT_URL = re.compile(rf"\.{_ATTACHMENT_EXTENSION}(?:$|[?#])")

# id/class fragments of chrome nodes (lower-cased match against id and class).
CHROME_ID_CLASS = re.compile(
    r"(^|[\s_-])(breadcrumb|crumb|position|location|weizhi|dqwz|nav|navbar|menu|header|footer|foot|"
    r"share|bdsharebuttonbox|fenxiang|qrcode|erweima|ewm|print|dayin|close|guanbi|font|zihao|"
    r"fontsize|jiucuo|correction|counter|visit|hits|related|xgwz|xglj|relevant|prev|next|pagenav|"
    r"sxp|syp|xyp|assistant|robot|xiaolongren|copyright|banquan|sidebar|side|gkxx|xxgk-info|"
    r"xxgk_table|zwgk_table|meta-table|article-info|info-table|table_suoyin|syh|toolbar|tools|"
    r"gotop|backtop|ad|ads|advert|guanggao|tuijian|recommend)([\s_-]|\d|$)",
    re.I,
)

# Labels of the 政府信息公开 metadata table, label-character spacing allowed (索 引 号).
def spaced(label: str) -> str:
    """A regex for a label whose characters may be separated by spaces (索 引 号)."""
    return r"[\s\u3000]*".join(map(re.escape, label))


META_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("标题", "公文名称", "文件名称", "信息名称"),
    "index_no": ("信息索引号", "索引号", "索取号"),
    "publisher": ("发布机构", "发文机关", "发布单位", "来源", "信息来源", "文章来源", "公开责任部门"),
    "doc_no": ("发文字号", "文号", "发文文号", "文件编号"),
    "written": ("成文日期", "生成日期", "制发日期", "印发日期"),
    "published": ("发布日期", "发布时间", "公开日期", "发文日期", "时间", "日期"),
    "other": ("主题分类", "体裁分类", "组配分类", "服务对象分类", "公开方式", "公开范围", "公开形式",
              "信息分类", "有效性", "关键词", "主题词", "名称", "浏览次数", "作者",
              "所属主题", "内容分类", "公开时限", "信息类别", "分类", "访问量", "访问次数", "浏览量",
              "阅读次数", "点击数", "点击量"),
}
ALL_META_LABELS: tuple[str, ...] = tuple(sorted({lab for labs in META_LABELS.values() for lab in labs},
                                                key=len, reverse=True))
META_LABEL_RE = re.compile(
    r"^[\s\u3000]*(?:" + "|".join(spaced(lab) for lab in ALL_META_LABELS) + r")[\s\u3000]*[:：]"
)

# Values of a 来源 label that name no one: the publisher is then read elsewhere (作者, meta tags).
NON_PUBLISHERS: tuple[str, ...] = ("本站原创", "本站", "原创", "本网", "本网原创", "网站编辑", "未知", "其他")
# An 作者 value that is an office, not a person, is the publisher when nothing else names one.
ORGANIZATION_END = re.compile(r"(办|局|委|院|府|会|厅|处|室|部|中心|所|站|队|街道|镇|乡|政府|公司|署|司)$")

# Whole lines that are chrome (matched after whitespace collapse).
CHROME_LINE_PATTERNS: tuple[str, ...] = (
    r"^(您当前的位置|您现在的位置|当前位置|您的位置|所在位置|现在位置)[:：]?.*$",
    r"^.*(扫一扫在手机打开当前页|手机扫一扫打开此页面|扫一扫在手机上查看当前页面|扫码关注|扫一扫分享|"
    r"用手机扫描二维码|微信扫一扫|手机扫码|打开微信.{0,6}扫一扫).*$",
    r"^[【\[]?\s*字\s*体\s*[:：]?.*[大中小].*$",
    r"^[【\[]?\s*字\s*号\s*[:：]?.*[大中小].*$",
    r"^.{0,80}[【\[]\s*字\s*[体号]\s*[:：].{0,20}[大中小].{0,20}$",
    r"^文章类型[:：].{0,20}$",
    r"^(分享|分享到)?[:：]?\s*((微博|微信|QQ空间|QQ|朋友圈|新浪微博|腾讯微博)\s*)+$",
    r"^附件信息[:：]?.{0,20}$",
    r"^(版权(与|和|及)?免责声明|免责声明|版权声明)[:：].*$",
    r"^.*[【\[]\s*(打印(本页|此页|正文)?|关闭(窗口|本页)?|收藏|纠错|我要纠错|返回顶部|加入收藏)\s*[】\]].*$",
    r"^(打印(本页|此页|正文)?|关闭(窗口|本页)?|我要纠错|纠错|返回顶部|分享到|分享|收藏|打印\s*关闭|"
    r"\[?\s*打印\s*\]?\s*\[?\s*关闭\s*\]?|保存|返回列表|返回|TOP|top|顶部)[:：]?$",
    r"^分享到[:：].*$",
    r"^.*(访问量|浏览次数|浏览量|阅读次数|点击数|点击次数|访问次数|阅读量)\s*[:：]\s*\d*.*$",
    r"^(小龙人形象|智能机器人形象|数字人形象)$",
    r"^(智能问答|政策问答).{0,60}(元宇宙会客厅|数字人播报|便民地图).*$",
    r"^(上一篇|下一篇|上一条|下一条|上一页|下一页)[:：].*$",
    r"^(上一篇|下一篇|上一条|下一条)$",
    rf"^(附件\s*\d*\s*[:：]?\s*)?[^。，,；;]{{1,100}}\.{_ATTACHMENT_EXTENSION}$",
    r"^(附件|相关稿件|相关附件|相关链接|相关文章|相关阅读|相关新闻|相关信息|相关文件|相关解读|附件下载)[:：]?$",
    r"^.*(ICP备|ICP证|网站标识码|公网安备|京公网安备|主办单位[:：]|承办单位[:：]|技术支持[:：]|"
    r"版权所有|网站地图|联系我们|建议使用.{0,20}浏览器|Copyright|copyright|©).*$",
    r"^(首页|网站首页)\s*[>»＞/].*$",
    r"^(视力保护色|无障碍|长者模式|关怀版|English|繁體|简体|繁体版)[:：]?.*$",
    r"^(来源|发布时间|发布日期|作者|信息来源|文章来源|浏览次数|时间)[:：].{0,60}"
    r"(来源|发布时间|发布日期|作者|信息来源|文章来源|浏览次数|时间)[:：].*$",
)
CHROME_LINE_RE = re.compile("|".join(f"(?:{p})" for p in CHROME_LINE_PATTERNS))

# Strings that must never remain in a clean text (unless the report itself says them); the
# benchmark and tests count them.
CHROME_MARKERS: tuple[str, ...] = (
    "您当前的位置", "当前位置", "索引号", "索 引 号", "主题分类", "体裁分类", "扫一扫", "手机扫", "字体：", "字体:",
    "字号", "【打印", "打印本页", "【关闭", "关闭窗口", "纠错", "上一篇", "下一篇", "ICP备", "网站标识码", "主办单位",
    "小龙人形象", "元宇宙会客厅", "分享到", "浏览次数", "访问量", "相关稿件", "相关链接", "版权所有",
)

# Site-name separators in <title>: "报告标题_某某区人民政府" / "标题 - 网站".
# A bare hyphen separates only before a site-like name: titles themselves say (2021-2025年).
TITLE_SEPARATORS = re.compile(
    r"\s*(?:[_|｜]|\s[-–—]+\s|--|-(?=[^-]*(?:网|政府|网站|门户|平台)$)|-(?=[^-\d]{2,20}(?:局|厅|委|办|中心)$))\s*"
)
SITE_NAME_HINT = re.compile(r"(人民政府|政府网|门户网站|网站|政务网|信息公开|政务服务网|首页)$")

# Blocking / soft-404 signatures: the one list, read by extraction.blocking (is this response a
# challenge?) and extraction.extract (is this short text a challenge, not content?).
RUISHU_MARK = "$_ts"  # 瑞数: the challenge script's variable
JIASULE_COOKIE = "__jsluid"  # 加速乐: its cookie
JIASULE_MARK = "__jsl_clearance"  # 加速乐: the script that sets the clearance cookie
CHALLENGE_SCRIPT_MARKERS: tuple[str, ...] = (RUISHU_MARK, JIASULE_COOKIE, JIASULE_MARK)
WAF_BODY_MARKERS: tuple[str, ...] = (
    "安全验证", "请稍候", "访问过于频繁", "请完成验证", "人机验证", "滑动验证", "正在验证您的浏览器",
    "您的访问被拦截", "访问被拒绝", "检测到异常访问", "Checking your browser", "verify you are human",
    "云防护", "网站防火墙",
)
# Too common to mean a challenge on its own; with a 403 or 429 it does.
WAF_STATUS_HINTS: tuple[str, ...] = ("waf",)
CHALLENGE_MARKERS: tuple[str, ...] = CHALLENGE_SCRIPT_MARKERS + WAF_BODY_MARKERS
SOFT_404_MARKERS: tuple[str, ...] = (
    "页面不存在", "您访问的页面不存在", "页面未找到", "找不到页面", "该页面已被删除", "页面已删除",
    "信息已删除", "文章不存在", "信息不存在", "该信息已撤销", "已过期或被删除", "Page Not Found",
    "404 Not Found", "抱歉，您访问的页面", "抱歉,您访问的页面",
)
