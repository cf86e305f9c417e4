from django.urls import path

from apps.course import views

urlpatterns = [
    path("direction/", views.DirectionListView.as_view(), name="course-directions"),
    path("category/", views.CategoryListView.as_view(), name="course-categories"),
    path("", views.CourseListView.as_view(), name="course-list"),
    path("<id:pk>/", views.CourseDetailView.as_view(), name="course-detail"),
    path("<id:pk>/review/", views.CourseReviewView.as_view(), name="course-review"),
    path("<id:pk>/reviews/", views.CourseReviewListView.as_view(), name="course-reviews"),
]
