"""Distributed crawling on Redis: many ``scrapy crawl reports`` workers, one shared frontier, one archive writer.

Workers share the scrapy-redis request queue and dupefilter, a per-host rate limit, and push their
captures to a Redis list; ``crawler.distributed.ingest.ingest_from_redis`` is the single writer that
turns them into archive rows through the same code as the local ``ArchivePipeline``. See docs/distributed.md.
"""
