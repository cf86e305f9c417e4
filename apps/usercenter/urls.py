from django.urls import path

from apps.usercenter import views

urlpatterns = [
    path("course/", views.MyCourseListView.as_view(), name="user-courses"),
    path("records/", views.RecordListView.as_view(), name="user-records"),
]
