"""A minimal Huey app using Redraft as its Redis broker and result store.

Start a Redraft node on 127.0.0.1:6379, then run the consumer from this
directory:

    huey_consumer tasks.huey -w 4

and enqueue from Python (see README.md).
"""

from huey import RedisHuey, crontab

# Any Redis storage works: RedisHuey, PriorityRedisHuey, RedisExpireHuey,
# PriorityRedisExpireHuey. Point it at the Redraft node like at a Redis server.
huey = RedisHuey("example", host="127.0.0.1", port=6379)


@huey.task()
def add(a, b):
    return a + b


@huey.task(retries=3, retry_delay=1)
def fetch(url):
    # A task that may fail is retried up to 3 times, 1 second apart.
    print("fetching", url)
    return len(url)


@huey.task()
@huey.lock_task("report")
def report():
    # Only one report() runs at a time across all consumers.
    return "done"


@huey.periodic_task(crontab(minute="*/5"))
def every_five_minutes():
    print("five minutes passed")
