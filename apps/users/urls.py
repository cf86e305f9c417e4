from django.urls import path

from apps.users import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("token/refresh/", views.RefreshView.as_view(), name="token-refresh"),
    path("register/", views.RegisterView.as_view(), name="register"),
    path("info/", views.UserInfoView.as_view(), name="user-info"),
    path("credit/", views.CreditLedgerView.as_view(), name="user-credit"),
    path("balance/", views.BalanceView.as_view(), name="user-balance"),
]
