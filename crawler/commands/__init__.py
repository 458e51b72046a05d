"""The project's Scrapy commands (``COMMANDS_MODULE``): ``crawl`` with exit codes cron can act on."""
