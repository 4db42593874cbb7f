FROM python:3.11-slim

# relative WORKDIRs resolve against the previous one (here: /)
WORKDIR app
WORKDIR src

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

WORKDIR ../data
RUN touch .keep

WORKDIR /app/src
CMD ["python", "main.py"]
