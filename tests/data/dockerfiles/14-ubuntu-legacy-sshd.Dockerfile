FROM ubuntu:18.04
MAINTAINER Ops Team <ops@example.com>
RUN apt update && apt install -y openssh-server sudo
RUN apt-get update && apt-get upgrade -y
RUN mkdir /var/run/sshd && echo 'root:changeme' | chpasswd
RUN sudo sed -i 's/#PermitRootLogin.*/PermitRootLogin yes/' /etc/ssh/sshd_config
EXPOSE 22
CMD ["/usr/sbin/sshd", "-D"]
