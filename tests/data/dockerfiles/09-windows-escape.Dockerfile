# escape=`
# Windows image: backtick is the escape character.
FROM mcr.microsoft.com/windows/servercore:ltsc2022

SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]

WORKDIR C:\app
RUN Invoke-WebRequest -Uri https://example.com/setup.exe -OutFile setup.exe ; `
    Start-Process setup.exe -ArgumentList '/quiet' -Wait ; `
    Remove-Item setup.exe
COPY app\ C:\app\
CMD ["C:\\app\\service.exe"]
