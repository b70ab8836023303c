Attribute VB_Name = "Knappar"
Option Explicit
' Varje knapp anropar en funktion i xl_addin.buttons via xlwings RunPython.
Sub Kontrollera()
    RunPython "import xl_addin.buttons as b; b.check()"
End Sub
