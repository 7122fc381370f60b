import ChorusSIP
