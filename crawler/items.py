"""The item a spider hands to the pipeline: one fetch, raw, before any extraction."""

import scrapy


class CaptureItem(scrapy.Item):
    """Fields mirror ``archive.capture.Capture``, plus what the crawl knew about the link."""

    url = scrapy.Field()
    final_url = scrapy.Field()
    fetched_at = scrapy.Field()
    status = scrapy.Field()
    headers = scrapy.Field()
    content_type = scrapy.Field()
    body = scrapy.Field()
    outcome = scrapy.Field()  # set by the spider only for transport failures ("error")
    error = scrapy.Field()
    portal = scrapy.Field()
    parent_url = scrapy.Field()  # for an attachment: the report page that linked it
    link_text = scrapy.Field()  # the anchor text that led here (a report title, usually)
    continuations = scrapy.Field()  # later pages of a report split over pages: dicts of these fields
    kind = scrapy.Field()  # "listing" (a list or home page), "report" (a report page) or "attachment"
