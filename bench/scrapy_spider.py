"""scrapy_spider.py: the Scrapy peer of bench_crawl.sh.

Follows every link on the site from the start URL (-a start=URL) and
yields the URL and title of each page, the least a crawler does:

    scrapy runspider bench/scrapy_spider.py -a start=URL -O pages.jsonl

Politeness off, as for sluice and wget in the same benchmark; the
concurrency comes from -s CONCURRENT_REQUESTS=N -s
CONCURRENT_REQUESTS_PER_DOMAIN=N on the command line.
"""
import scrapy


class SiteSpider(scrapy.Spider):
    name = "site"
    custom_settings = {
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
        "DEPTH_LIMIT": 0,
        "COOKIES_ENABLED": False,
        "RETRY_ENABLED": False,
    }

    def __init__(self, start=None, **kw):
        super().__init__(**kw)
        self.start_urls = [start]
        self.allowed_domains = ["127.0.0.1"]

    def parse(self, response):
        yield {"url": response.url, "title": response.css("title::text").get()}
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse)
