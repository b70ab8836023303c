"""The file edge: reading workbook files for the command line, and writing new result files."""
