"""Scrapy settings for the fazhi-archive crawl.

Politeness first: these are government portals run on small budgets. Every value here can be overridden
with ``-s NAME=VALUE`` on the command line.
"""

BOT_NAME = "fazhi-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# `scrapy crawl` is the project's own (crawler/commands/crawl.py): one-line argument errors (exit 2) and
# an exit code from the crawl's outcome (1 when it recorded nothing, every start URL failed, or items were lost).
COMMANDS_MODULE = "crawler.commands"

# Where the archive lives (one SQLite file). `scrapy crawl reports -s ARCHIVE_DB=path/to/archive.db`.
ARCHIVE_DB = "archive.db"

# Say who we are and how to reach us, so a portal's webmaster can complain instead of blocking.
FAZHI_CONTACT_URL = "https://github.com/fazhi-archive/fazhi-archive#contact"
USER_AGENT = f"fazhi-archive/0.1 (+{FAZHI_CONTACT_URL}; annual rule-of-law report archiver)"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# What one response's callback yields (one capture, a list page's requests) is handled by this many
# tasks, which Scrapy creates for every response: its default of 100 was ~10 % of a crawl process's
# CPU (py-spy, 16 hosts). A response yields one item, so more than a few buy nothing.
CONCURRENT_ITEMS = 8
# AutoThrottle's rule, as crawler.throttle.PoliteThrottle (EXTENSIONS below): 304s count as answers (an
# unchanged re-run is not held at the start delay) and a host's robots.txt Crawl-delay is its floor.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
# A report page is a few hundred KB; a scanned PDF attachment can be tens of MB. Nothing needs more: a
# larger body (or an endless one) is cut off and recorded as an error, "too large".
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
# Only the web: no handlers for file:, data:, ftp: or s3: URLs, whatever a page links to (the fetch
# policy refuses them first; this is the second lock).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
RETRY_TIMES = 2
# Portals chain one or two redirects (http → https, old path → new); more is a loop.
REDIRECT_MAX_TIMES = 5

# Link-following depth from a start page: home → column → list page N → article → attachment.
DEPTH_LIMIT = 8

# `scrapy crawl` exits 1 when the archive could not record the crawl (crawler/commands/crawl.py).
COMMANDS_MODULE = "crawler.commands"

# `scrapy check`: contracts in the parse methods' docstrings name pages of the sample portal (crawler.contracts).
SPIDER_CONTRACTS = {"crawler.contracts.PortalContract": 1}

ITEM_PIPELINES = {
    "crawler.pipelines.ArchivePipeline": 300,
}

DOWNLOADER_MIDDLEWARES = {
    # First: what may be fetched at all (http/https, the crawl's sites, no private addresses), so that
    # not even a robots.txt is asked of a host the crawl does not go to.
    "crawler.fetch_policy.FetchPolicyMiddleware": 50,
    # Scrapy's own, with requests that waited for robots.txt checked too (see crawler.middlewares).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    "crawler.middlewares.ConditionalRequestMiddleware": 650,
    # The one classification of each response (page, not modified, blocked, soft 404, error), after
    # HttpCompressionMiddleware (590) has decoded the body and before the backoff (560) reads it.
    "crawler.verdict.VerdictMiddleware": 570,
    "crawler.middlewares.BlockedBackoffMiddleware": 560,  # beside Scrapy's RetryMiddleware (550)
    "crawler.middlewares.CrawlDelayMiddleware": 120,  # after RobotsTxtMiddleware (100)
    "crawler.middlewares.HomeRedirectMiddleware": 640,  # sees 3xx before RedirectMiddleware (600)
}
# WAF challenges (412 $_ts, 521 __jsluid, 安全验证): retries, first pause and cap in seconds.
FAZHI_BLOCKED_RETRIES = 2
FAZHI_BLOCKED_BACKOFF = 5.0
FAZHI_BLOCKED_BACKOFF_MAX = 120.0
# Re-check archived reports for the last N report years on every run (silent edits), even when no
# list links them any more. 0 turns it off.
FAZHI_RECHECK_YEARS = 2

# A sitemap given as a start URL: entries whose lastmod is older than this many years are skipped.
FAZHI_SITEMAP_YEARS = 3

# Extraction runs in a pool of processes beside the crawl's event loop (crawler/extractor.py): seconds one
# page or file may take before its worker is killed and it is recorded as an error "extraction timed
# out", and how many worker processes extract (0: one per core).
FAZHI_EXTRACTION_TIMEOUT = 120.0
FAZHI_EXTRACTION_WORKERS = 0
# Added to the extraction workers' nice value, so the reactor (fetching, the writer) goes first on a busy machine.
FAZHI_EXTRACTION_NICENESS = 0

# The archive is written by a thread of its own that commits whatever captures queued while it was busy
# as one transaction (crawler/archive_writer.py). With a value > 0 it also waits that many seconds for
# more before committing (fewer commits on a slow disk); a crawl killed outright loses at most that
# many seconds of captures, which the next run fetches again.
FAZHI_ARCHIVE_BATCH_SECONDS = 0.0

# Re-fetch known report pages with If-None-Match / If-Modified-Since from the archive.
FAZHI_CONDITIONAL_REQUESTS = True

EXTENSIONS = {
    "crawler.extensions.StatsFile": 500,
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.throttle.PoliteThrottle": 0,  # on with AUTOTHROTTLE_ENABLED, as Scrapy's is
    "crawler.notify.CrawlNotifier": 510,  # FAZHI_NOTIFY=URL[,URL…]: one message per crawl (report.notify)
}
# Set to a path to get the crawl's final stats as JSON (scheduled jobs, benchmarks, tests).
FAZHI_STATS_FILE = None

# Optional: fetch through Debian's Chromium with scrapy-playwright (crawler/browser.py). Off by default.
FAZHI_BROWSER = False
FAZHI_BROWSER_FOR = "blocked"  # "blocked": only retries of WAF-challenged pages; "all": every page
FAZHI_CHROMIUM = "/usr/bin/chromium"

# Keep Scrapy's own HTTP cache off: re-runs use ETag/Last-Modified kept in the archive instead.
HTTPCACHE_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# --- distributed crawling (crawler/distributed) ---
# Off unless a Redis URL is given (-s REDIS_URL=redis://host:6379/0 or the FAZHI_REDIS_URL environment variable):
# then the scrapy-redis queue and dupefilter are shared by every worker, captures go to the Redis list
# reports:items for `ingest_from_redis` (the one archive writer), and each host gets a shared rate limit.
ADDONS = {"crawler.distributed.addon.RedisCrawl": 0}
REDIS_URL = None
# Requests per second per host, for all workers together (Redis mode only; 0 turns the shared limit off).
FAZHI_HOST_RATE = 2.0
# A Redis that stops answering is noticed within seconds (scrapy-redis waits 30 s a call by default); the
# worker then closes with reason redis_lost and exits 1 (crawler/distributed/scheduler.py).
REDIS_PARAMS = {"socket_timeout": 10, "socket_connect_timeout": 5}
