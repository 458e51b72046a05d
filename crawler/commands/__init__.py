"""The project's Scrapy commands (``COMMANDS_MODULE``): ``scrapy crawl`` with exit codes a scheduler can act on."""
