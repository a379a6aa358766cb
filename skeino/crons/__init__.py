"""Cron jobs: schedules (`schedule`), their persistence (`storage`) and the loop that
fires them as ordinary runs (`scheduler`). The HTTP side is `skeino.api.crons`."""

from skeino.crons.scheduler import CronScheduler
from skeino.crons.storage import Cron, CronQuery, CronStore

__all__ = ["Cron", "CronQuery", "CronScheduler", "CronStore"]
