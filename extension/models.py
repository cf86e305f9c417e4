from django.db import models


class BaseModel(models.Model):
    """Fields every table of the shop carries: soft delete, visibility, manual order, times."""

    is_show = models.BooleanField("是否显示", default=True)
    orders = models.IntegerField("排序", default=1)
    is_deleted = models.BooleanField("是否删除", default=False)
    created_time = models.DateTimeField("添加时间", auto_now_add=True)
    updated_time = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        abstract = True
